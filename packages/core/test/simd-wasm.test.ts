// The shipped WebAssembly bytes are the compilation of the committed .wat source (wabt), and
// the source's memory layout is the one the loaders use.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_PATH, WAT_PATH, compileWat, generatedModule } from '../scripts/build-wasm.js';
import { DS_BYTES, QS_BYTES, SIMD_CHUNK } from '../src/simd-module.js';
import { SIMD_WASM } from '../src/simd-wasm.js';

describe('simd.wat', () => {
  const source = readFileSync(WAT_PATH, 'utf8');

  it('compiles to the committed simd-wasm.ts, byte for byte', async () => {
    const bytes = await compileWat(source);
    expect(Array.from(SIMD_WASM)).toEqual(Array.from(bytes));
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(generatedModule(bytes));
  });

  it('reads its scale regions where the loaders write them', () => {
    const offsets = [...source.matchAll(/offset=(\d+)/g)].map((m) => Number(m[1]));
    expect(new Set(offsets)).toEqual(new Set([QS_BYTES, DS_BYTES]));
    expect(source).toMatch(/\(memory \(export "m"\) 16\)/);
    expect(DS_BYTES + SIMD_CHUNK * 4).toBeLessThanOrEqual(16 * 65536); // the output-scale region fits in 16 pages
  });

  it('refuses a source that is not valid WebAssembly', async () => {
    await expect(compileWat('(module (func (result f32) (i32.const 1)))', 'bad.wat')).rejects.toThrow();
  });
});
