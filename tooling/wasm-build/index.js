// The workspace's one way to build hand-written WebAssembly: a .wat source compiled by wabt into
// a committed TypeScript module of bytes (so tests and browser builds need no build step), and a
// test in each package checks that the committed bytes are the compilation of the committed
// source. Used by @pq/core (simd.wat) and @pq/nn (the accelerated path's kernels).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import initWabt from 'wabt';

/** The module's binary: wabt's wat2wasm with SIMD, no name section, canonical LEB128s. */
export async function compileWat(source, filename = 'module.wat') {
  const wabt = await initWabt();
  const mod = wabt.parseWat(filename, source, { simd: true });
  try {
    mod.validate();
    return Uint8Array.from(mod.toBinary({ canonicalize_lebs: true, write_debug_names: false }).buffer);
  } finally {
    mod.destroy();
  }
}

/** The TypeScript file holding `bytes` as `export const <constant>`, 16 to a line. */
export function generatedModule(bytes, { source, constant, script, description }) {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 16) {
    lines.push(`  ${Array.from(bytes.subarray(i, i + 16), (b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')},`);
  }
  return `// Generated from ${source} by ${script}; do not edit.
/** ${description}, ${bytes.length} bytes. */
export const ${constant} = new Uint8Array([
${lines.join('\n')}
]);
`;
}

/** Compiles `watPath` and rewrites `generatedPath` (temp, then rename) when its text changed. */
export async function buildWat(watPath, generatedPath, options) {
  const text = generatedModule(await compileWat(readFileSync(watPath, 'utf8'), basename(watPath)), options);
  let current = '';
  try {
    current = readFileSync(generatedPath, 'utf8');
  } catch {
    // first generation
  }
  if (current === text) return;
  writeFileSync(`${generatedPath}.tmp`, text);
  renameSync(`${generatedPath}.tmp`, generatedPath);
}
