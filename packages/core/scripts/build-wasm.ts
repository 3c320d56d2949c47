// Compiles src/simd.wat with wabt into src/simd-wasm.ts (committed, so that tests and browser
// builds need no build step). `pnpm run build:wasm` regenerates it; the build runs it too, and
// a test checks that the committed bytes are the compilation of the committed source.
import { fileURLToPath } from 'node:url';
import { buildWat, compileWat, generatedModule as generated, type GeneratedOptions } from '@pq/wasm-build';

export const WAT_PATH = fileURLToPath(new URL('../src/simd.wat', import.meta.url));
export const GENERATED_PATH = fileURLToPath(new URL('../src/simd-wasm.ts', import.meta.url));

const OPTIONS: GeneratedOptions = {
  source: 'simd.wat',
  constant: 'SIMD_WASM',
  script: 'scripts/build-wasm.ts (pnpm run build:wasm)',
  description: 'The WebAssembly SIMD module of simd.wat',
};

export { compileWat };

/** The TypeScript file holding `bytes`, 16 to a line. */
export const generatedModule = (bytes: Uint8Array): string => generated(bytes, OPTIONS);

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWat(WAT_PATH, GENERATED_PATH, OPTIONS);
}
