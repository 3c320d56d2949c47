// The GLSL/WGSL variants of the kernels (explicit NaN-sticky max) cannot run on a GPU here; run
// them on webasm and cpu, whose float32 semantics are IEEE, to show the formulas themselves
// give jsKernels' results.
import { jsKernels, ndarray } from '@pq/core';
import { GPU } from 'gpu.js';
import { afterAll, describe, it } from 'vitest';
import { runSync } from '../src/drive.js';
import { KernelCache } from '../src/kernel-cache.js';
import { reduceAmaxPlan } from '../src/plans/reduce-amax.js';
import { expectSameFloats, randomData } from './helpers.js';

const caches: KernelCache[] = [];
afterAll(() => {
  for (const c of caches) {
    c.clear();
    void c.gpu.destroy();
  }
});

describe.each(['webasm', 'cpu'] as const)('GPU-portable reduction on %s', (mode) => {
  const cache = new KernelCache(new GPU({ mode }), mode);
  caches.push(cache);
  const ctx = { tile: 1000, nativeNaNMax: false };
  it('matches jsKernels, NaN-sticky, over tiles', () => {
    const shape = [5, 7, 131];
    const data = randomData(5 * 7 * 131, 61);
    data[400] = Number.NaN;
    data[4000] = Number.NaN;
    const x = ndarray(data, shape);
    for (const axis of [null, 0, 1, 2, [0, 2], [1, 2]] as (number | number[] | null)[]) {
      const got = runSync(reduceAmaxPlan(x, axis, true, ctx), (s) => cache.runSync(s));
      expectSameFloats(got.data, jsKernels.reduceAmax(x, axis, true).data, `axis ${JSON.stringify(axis)}`);
    }
  });
});
