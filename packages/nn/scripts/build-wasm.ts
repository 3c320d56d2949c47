// Compiles src/accel/kernels.wat with wabt into src/accel/kernels-wasm.ts (committed, so that
// tests and browser builds need no build step). `pnpm run build:wasm` regenerates it; the build
// runs it too, and a test checks that the committed bytes are the compilation of the source.
import { fileURLToPath } from 'node:url';
import { buildWat, type GeneratedOptions } from '@pq/wasm-build';

export const WAT_PATH = fileURLToPath(new URL('../src/accel/kernels.wat', import.meta.url));
export const GENERATED_PATH = fileURLToPath(new URL('../src/accel/kernels-wasm.ts', import.meta.url));
export const OPTIONS: GeneratedOptions = {
  source: 'kernels.wat',
  constant: 'KERNELS_WASM',
  script: 'scripts/build-wasm.ts (pnpm run build:wasm)',
  description: "The WebAssembly SIMD kernels of kernels.wat, run on the tfjs wasm backend's heap",
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWat(WAT_PATH, GENERATED_PATH, OPTIONS);
}
