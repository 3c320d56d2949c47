import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeAmaxPercentile } from '../src/index.js';
import { countsArb, uniformEdges } from './histograms.js';
import { portAmaxPercentile } from './reference-port.js';

describe('computeAmaxPercentile', () => {
  it('matches the port', () => {
    fc.assert(
      fc.property(countsArb(1, 300), fc.double({ min: 0, max: 100, noNaN: true }), (counts, p) => {
        if (counts.every((c) => c === 0)) return;
        const edges = uniformEdges(counts.length, 5);
        expect(computeAmaxPercentile(counts, edges, p)).toBe(portAmaxPercentile(counts, edges, p));
      }),
      { numRuns: 300 },
    );
  });

  it('returns the last edge when rounding keeps the cdf below the percentile', () => {
    const counts = new Array(10).fill(1); // 0.1 summed ten times is 0.9999999999999999
    const edges = uniformEdges(10, 1);
    expect(computeAmaxPercentile(counts, edges, 100)).toBe(edges[10]);
    expect(computeAmaxPercentile(counts, edges, 0)).toBe(edges[0]);
    expect(computeAmaxPercentile(counts, edges, 50)).toBe(edges[4]);
  });

  it('refuses a percentile outside [0, 100] and an empty histogram', () => {
    expect(() => computeAmaxPercentile([1], [0, 1], 101)).toThrow(/percentile must be a number in \[0, 100\], got 101/);
    expect(() => computeAmaxPercentile([1], [0, 1], NaN)).toThrow(/got NaN/);
    expect(() => computeAmaxPercentile([0, 0], [0, 1, 2], 50)).toThrow(/histogram is empty/);
  });
});
