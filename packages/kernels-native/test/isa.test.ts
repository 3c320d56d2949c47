// The AVX-512 and AVX2 micro-kernels compute every element with the same FMA chain, so a CPU with
// AVX-512 must give the bits of one without: the same products and convolutions in two child
// processes, one forced to AVX2 (PQ_KERNELS_ISA=avx2). On a CPU without AVX-512 both run AVX2
// and the test only checks that the switch is harmless.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadNativeKernels } from '../src/index.js';

const child = fileURLToPath(new URL('./isa_child.mjs', import.meta.url));
const run = (env: Record<string, string>): { isa: string; results: string[] } =>
  JSON.parse(execFileSync(process.execPath, [child], { env: { ...process.env, ...env }, encoding: 'utf8' })) as { isa: string; results: string[] };

describe.runIf(loadNativeKernels())('micro-kernel instruction sets', () => {
  it('gives the same bits on AVX-512 as on AVX2', () => {
    const forced = run({ PQ_KERNELS_ISA: 'avx2' });
    const chosen = run({});
    expect(forced.isa).toBe('avx2+fma');
    expect(chosen.results.length).toBe(forced.results.length);
    chosen.results.forEach((r, i) => expect(r, `result ${i} (${chosen.isa} vs avx2+fma)`).toBe(forced.results[i]));
  });
});
