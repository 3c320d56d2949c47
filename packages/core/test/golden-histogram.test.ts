// The histogram kernel against HistogramCalibrator's final histograms: replays the reference's
// collect() (first batch over [0, max], later batches growing the range with the same width).
import { goldenArray, loadGolden } from '@pq/fixtures';
import { describe, expect, it } from 'vitest';
import { histogram, jsKernels, reduceAmax } from '../src/index.js';

const cases = loadGolden('calibrators').histogram;

describe('histogram kernel reproduces HistogramCalibrator (golden)', () => {
  for (const c of cases) {
    it(`${c.numBins} bins, skipZeros=${c.skipZeros}`, () => {
      let hist: Float64Array | null = null;
      let edges: number[] = [];
      let numBins = c.numBins;
      for (const b of c.batches) {
        const x = goldenArray(b);
        const m = reduceAmax(x).data[0]!;
        const o = { skipZeros: c.skipZeros };
        if (hist === null) {
          hist = jsKernels.histogram(x, numBins, m, o);
          edges = Array.from({ length: numBins + 1 }, (_, i) => Math.fround((m * i) / numBins));
          edges[numBins] = m;
          continue;
        }
        if (m > edges[edges.length - 1]!) {
          const width = Math.fround(edges[1]! - edges[0]!);
          numBins = Math.ceil(Math.fround(m / width));
          const n = Math.ceil(Math.fround(m + width) / width);
          edges = Array.from({ length: n }, (_, i) => Math.fround(i * width));
        }
        const h = histogram(x, numBins, edges[edges.length - 1]!, o);
        for (let i = 0; i < hist.length; i++) h[i]! += hist[i]!;
        hist = h;
      }
      expect(Array.from(hist!)).toEqual(c.hist.data);
      expect(edges[edges.length - 1]).toBe(Math.fround(c.edges.data[c.edges.data.length - 1]!));
    });
  }
});
