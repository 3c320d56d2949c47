import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeAmaxEntropy } from '../src/index.js';
import { divergenceScratch, entropyDivergenceAt } from '../src/entropy-divergence.js';
import { entropySearch } from '../src/entropy.js';
import { countsArb, reluActivation, uniformEdges } from './histograms.js';
import { portAmaxEntropy, portEntropyDivergences } from './reference-port.js';
import { histogramOf } from './collect.js';

const optionsArb = (n: number) =>
  fc.record({
    numBits: fc.integer({ min: 2, max: 6 }),
    unsigned: fc.boolean(),
    stride: fc.integer({ min: 1, max: 5 }),
    startBin: fc.integer({ min: 1, max: n }),
  });

describe('computeAmaxEntropy', () => {
  it('gives exactly the straightforward port\'s amax on random histograms', () => {
    fc.assert(
      fc.property(
        countsArb(2, 160).chain((counts) => fc.tuple(fc.constant(counts), optionsArb(counts.length))),
        ([counts, o]) => {
          if (counts.reduce((a, b) => a + b, 0) - counts[0]! + counts[1]! === 0) return; // empty after bins[0] = bins[1]
          const edges = uniformEdges(counts.length, 10);
          expect(computeAmaxEntropy(counts, edges, o)).toBe(Math.fround(portAmaxEntropy(counts, edges, o)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('computes each candidate\'s divergence with the port\'s exact float operations', () => {
    fc.assert(
      fc.property(
        countsArb(2, 120).chain((counts) => fc.tuple(fc.constant(counts), optionsArb(counts.length))),
        ([counts, o]) => {
          const bins = Float64Array.from(counts);
          bins[0] = bins[1]!;
          const nbins = 2 ** (o.numBits - 1 + (o.unsigned ? 1 : 0));
          const { args, divergences } = portEntropyDivergences(counts, o);
          const scratch = divergenceScratch(bins.length);
          args.forEach((i, k) => expect(Object.is(entropyDivergenceAt(bins, i, nbins, scratch), divergences[k])).toBe(true));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('agrees with the port on fractional counts too', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1000, noNaN: true })), { minLength: 2, maxLength: 100 }),
        fc.integer({ min: 2, max: 5 }),
        (counts, numBits) => {
          if (counts.slice(1).reduce((a, b) => a + b, 0) + counts[1]! === 0) return;
          const o = { numBits, startBin: 1 };
          const edges = uniformEdges(counts.length, 3);
          expect(computeAmaxEntropy(counts, edges, o)).toBe(Math.fround(portAmaxEntropy(counts, edges, o)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('agrees with the port on subnormal and huge counts (exact fallback)', () => {
    const cases = [
      [[0, 5e-323, 0, 0], 2],
      [[0, 5e-323, 0], 2],
      [[1e300, 3, 1e-300, 0, 7, 1e-310, 2], 2],
      // the tail's mass (5e-324) underflows when normalised: no infinite divergence at i = 4
      [[0, 1, 5e-324, 0, 5e-324, 0, 0], 2],
    ] as const;
    for (const [counts, numBits] of cases) {
      const o = { numBits, startBin: 1 };
      const edges = uniformEdges(counts.length, 3);
      expect(computeAmaxEntropy(counts, edges, o)).toBe(Math.fround(portAmaxEntropy(counts, edges, o)));
    }
    expect(() => computeAmaxEntropy([1e308, 1e308, 1e308], [0, 1, 2, 3], { startBin: 1 })).toThrow(/more than float64 holds/);
  });

  it('matches the port on a realistic 2048-bin activation histogram, checking few candidates exactly', () => {
    const { counts, edges } = histogramOf(reluActivation(200_000, 7), 2048);
    for (const stride of [1, 3]) {
      const o = { stride };
      expect(computeAmaxEntropy(counts, edges, o)).toBe(Math.fround(portAmaxEntropy(counts, edges, o)));
      expect(entropySearch(counts, edges, o).exactChecks).toBeLessThan(20);
    }
  });

  it('picks the last of tied candidates', () => {
    // Only bin 1 is non-empty (bin 0 copies it): every candidate without infinite divergence
    // sees the same P and Q, so all tie at 0 and the reference takes the last one.
    const counts = new Array(300).fill(0);
    counts[1] = 10;
    const edges = uniformEdges(300, 3);
    expect(computeAmaxEntropy(counts, edges)).toBe(edges[300]);
    expect(computeAmaxEntropy(counts, edges)).toBe(Math.fround(portAmaxEntropy(counts, edges)));
  });

  it('takes the last candidate when every divergence is infinite', () => {
    // The last bin holds data, every earlier candidate ends on an empty bin.
    const counts = new Array(200).fill(0);
    counts[1] = 5;
    counts[150] = 1;
    counts[199] = 1;
    const edges = uniformEdges(200, 2);
    const o = { startBin: 151, stride: 2 };
    expect(computeAmaxEntropy(counts, edges, o)).toBe(Math.fround(portAmaxEntropy(counts, edges, o)));
  });

  it('refuses bad options and histograms with clear errors', () => {
    const counts = new Array(256).fill(1);
    const edges = uniformEdges(256, 1);
    expect(() => computeAmaxEntropy(counts, edges, { startBin: 257 })).toThrow(/startBin 257 is beyond the histogram's 256 bins/);
    expect(() => computeAmaxEntropy(counts, edges, { startBin: 0 })).toThrow(/startBin must be an integer >= 1/);
    expect(() => computeAmaxEntropy(counts, edges, { stride: 0 })).toThrow(/stride must be an integer >= 1/);
    expect(() => computeAmaxEntropy(counts, edges, { numBits: 1 })).toThrow(/numBits/);
    expect(() => computeAmaxEntropy(counts, edges.subarray(0, 256))).toThrow(/256 bins need at least 257 edges/);
    expect(() => computeAmaxEntropy([1, -1, 1], [0, 1, 2, 3], { startBin: 1 })).toThrow(/counts\[1\] is -1/);
    expect(() => computeAmaxEntropy([1, 1, 1], [0, 2, 1, 3], { startBin: 1 })).toThrow(/edges\[2\] is 1/);
    expect(() => computeAmaxEntropy([5, 0, 0], [0, 1, 2, 3], { startBin: 1 })).toThrow(/histogram is empty/);
  });
});
