// Compiles src/simd.wat with wabt into src/simd-wasm.ts (committed, so that tests and browser
// builds need no build step). `pnpm run build:wasm` regenerates it; the build runs it too, and
// a test checks that the committed bytes are the compilation of the committed source.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

export const WAT_PATH = fileURLToPath(new URL('../src/simd.wat', import.meta.url));
export const GENERATED_PATH = fileURLToPath(new URL('../src/simd-wasm.ts', import.meta.url));

/** The module's binary: wabt's wat2wasm with SIMD, no name section, canonical LEB128s. */
export async function compileWat(source: string, filename = 'simd.wat'): Promise<Uint8Array> {
  const wabt = await initWabt();
  const mod = wabt.parseWat(filename, source, { simd: true });
  try {
    mod.validate();
    return Uint8Array.from(mod.toBinary({ canonicalize_lebs: true, write_debug_names: false }).buffer);
  } finally {
    mod.destroy();
  }
}

/** The TypeScript file holding `bytes`, 16 to a line. */
export function generatedModule(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    lines.push(`  ${Array.from(bytes.subarray(i, i + 16), (b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')},`);
  }
  return `// Generated from simd.wat by scripts/build-wasm.ts (pnpm run build:wasm); do not edit.
/** The WebAssembly SIMD module of simd.wat, ${bytes.length} bytes. */
export const SIMD_WASM = new Uint8Array([
${lines.join('\n')}
]);
`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = generatedModule(await compileWat(readFileSync(WAT_PATH, 'utf8')));
  let current = '';
  try {
    current = readFileSync(GENERATED_PATH, 'utf8');
  } catch {
    // first generation
  }
  if (current !== text) writeFileSync(GENERATED_PATH, text);
}
