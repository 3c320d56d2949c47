// The GPU variants of the kernels — explicit NaN-sticky max, fake quant through a quotient
// table, histogram bins by threshold search — cannot run on a GPU here. Run the whole shared
// suite with them on webasm and cpu, whose float32 is IEEE, to show that the formulas
// themselves give jsKernels' results; on a GPU the creation-time self-test checks the device.
import { GPU } from 'gpu.js';
import { afterAll, describe, expect, it } from 'vitest';
import { SyncGpuKernels } from '../src/gpu-kernels.js';
import { KernelCache } from '../src/kernel-cache.js';
import { DEFAULT_TILE_ELEMENTS } from '../src/limits.js';
import { binThresholds } from '../src/plans/histogram.js';
import { selfTest } from '../src/self-test.js';
import { rng } from './helpers.js';
import { describeKernelSuite } from './kernel-suite.js';

const made: SyncGpuKernels[] = [];
afterAll(() => {
  for (const k of made) k.dispose();
});

for (const mode of ['webasm', 'cpu'] as const) {
  describeKernelSuite(`${mode}, GPU code paths`, (o) => {
    const cache = new KernelCache(new GPU({ mode }), mode);
    const k = new SyncGpuKernels(cache, { tile: o?.tileElements ?? DEFAULT_TILE_ELEMENTS, hostSpecials: true, divisionFree: true });
    made.push(k);
    return k;
  });

  describe(`${mode}, GPU code paths: self-test`, () => {
    it('passes', () => {
      const cache = new KernelCache(new GPU({ mode }), mode);
      made.push(new SyncGpuKernels(cache, { tile: 1000, hostSpecials: true, divisionFree: true }));
      expect(selfTest(cache, { tile: 1000, hostSpecials: true, divisionFree: true })).toBeNull();
    });
  });
}

describe('binThresholds', () => {
  it('counts exactly the bins histc computes with a division', () => {
    const r = rng(71);
    for (const [width, bins] of [[3.7, 2048], [1, 100], [1e-30, 10], [2 ** 100, 7], [Math.fround(0.1), 1]] as const) {
      const w = Math.fround(width);
      const thr = binThresholds(w, bins);
      for (let t = 0; t < 1500; t++) {
        const a = Math.fround(r() * w * bins * 1.01);
        let count = 0;
        for (let k = 1; k < bins; k++) if (thr[k]! <= a) count++;
        expect(count).toBe(Math.min(Math.trunc(Math.fround(a / w)), bins - 1));
      }
    }
  });
});
