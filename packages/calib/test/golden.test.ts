import { goldenArray, loadGolden } from '@pq/fixtures';
import { describe, expect, it } from 'vitest';
import {
  HistogramCalibrator, MaxCalibrator, computeAmaxEntropy, computeAmaxMse, computeAmaxPercentile,
} from '../src/index.js';

const golden = loadGolden('calibrators');

describe('MaxCalibrator matches the reference', () => {
  for (const c of golden.max) {
    it(`axis ${JSON.stringify(c.axis)}`, () => {
      const cal = new MaxCalibrator({ axis: c.axis, trackAmax: true });
      for (const b of c.batches) cal.collect(goldenArray(b));
      expect(cal.computeAmax()).toEqual(goldenArray(c.amax));
      expect(cal.amaxs).toEqual(c.amaxs.map(goldenArray));
    });
  }
  it('negative axes pick the same channels', () => {
    const c = golden.max.find((m) => m.axis === 1)!;
    const cal = new MaxCalibrator({ axis: -3 });
    for (const b of c.batches) cal.collect(goldenArray(b));
    expect(cal.computeAmax()).toEqual(goldenArray(c.amax));
  });
});

describe('HistogramCalibrator matches the reference', () => {
  for (const c of golden.histogram) {
    const name = `${c.numBits}-bit ${c.unsigned ? 'unsigned' : 'signed'}, ${c.numBins} bins, skipZeros ${c.skipZeros}`;
    const collected = (): HistogramCalibrator => {
      const cal = new HistogramCalibrator({ numBits: c.numBits, unsigned: c.unsigned, numBins: c.numBins, skipZeros: c.skipZeros });
      for (const b of c.batches) cal.collect(goldenArray(b));
      return cal;
    };
    it(`${name}: histogram over the grown range`, () => {
      const h = collected().histogram!;
      expect(h.edges).toEqual(goldenArray(c.edges).data);
      expect(h.counts.length).toBe(c.hist.data.length);
      expect(Array.from(h.counts)).toEqual(c.hist.data);
    });
    it(`${name}: amax of every method and stride`, () => {
      const cal = collected();
      for (const [p, v] of Object.entries(c.amax.percentile)) {
        expect(cal.computeAmax('percentile', { percentile: Number(p) })).toBe(v);
      }
      for (const stride of [1, 4] as const) {
        const o = { stride, startBin: c.startBin };
        expect(cal.computeAmax('mse', o)).toBe(c.amax.mse[`stride${stride}`]);
        expect(cal.computeAmax('entropy', o)).toBe(c.amax.entropy[`stride${stride}`]);
      }
    });
  }
});

describe('computeAmax* straight from a histogram match the reference', () => {
  golden.fromHistogram.forEach((c, k) => {
    it(`histogram ${k}`, () => {
      const counts = c.hist.data;
      const edges = c.edges.data;
      expect(computeAmaxEntropy(counts, edges)).toBe(c.entropy);
      expect(computeAmaxMse(counts, edges)).toBe(c.mse);
      expect(computeAmaxPercentile(counts, edges, 99.9)).toBe(c['percentile99.9']);
    });
  });
});
