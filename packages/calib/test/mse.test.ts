import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeAmaxMse } from '../src/index.js';
import { mseSearch } from '../src/mse.js';
import { countsArb, reluActivation, uniformEdges } from './histograms.js';
import { histogramOf } from './collect.js';
import { portAmaxMse } from './reference-port.js';

/** Non-decreasing float32 edges from 0 with random (sometimes zero) widths. */
const edgesArb = (n: number) =>
  fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-4, max: 1, noNaN: true })), { minLength: n, maxLength: n }).map(
    (widths) => {
      const e = new Float32Array(n + 1);
      for (let j = 0; j < n; j++) e[j + 1] = e[j]! + widths[j]!;
      return e;
    },
  );

/** A random histogram (counts with uniform or random edges) and options drawn by `optsArb`. */
const histogramCaseArb = <O>(optsArb: (bins: number) => fc.Arbitrary<O>) =>
  countsArb(2, 200).chain((counts) =>
    fc.tuple(
      fc.constant(counts),
      fc.oneof(fc.constant(uniformEdges(counts.length, 7)), edgesArb(counts.length)),
      optsArb(counts.length),
    ),
  );

describe('computeAmaxMse', () => {
  it('gives exactly the straightforward port\'s amax on random histograms', () => {
    fc.assert(
      fc.property(
        histogramCaseArb((bins) =>
          fc.record({
            numBits: fc.integer({ min: 2, max: 10 }),
            unsigned: fc.boolean(),
            stride: fc.integer({ min: 1, max: 4 }),
            startBin: fc.integer({ min: 0, max: bins - 1 }),
          }),
        ),
        ([counts, edges, o]) => {
          if (counts.every((c) => c === 0)) return;
          expect(computeAmaxMse(counts, edges, o)).toBe(portAmaxMse(counts, edges, o));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('E4M3 (numBits [4, 3]) gives exactly the port\'s amax', () => {
    fc.assert(
      fc.property(
        histogramCaseArb((bins) =>
          fc.record({ stride: fc.integer({ min: 1, max: 4 }), startBin: fc.integer({ min: 1, max: bins - 1 }) }),
        ),
        ([counts, edges, o]) => {
          if (counts.every((c) => c === 0)) return;
          const centers = Array.from({ length: counts.length }, (_, j) => Math.fround(Math.fround(edges[j]! + edges[j + 1]!) / 2));
          if (centers.slice(o.startBin).some((v) => v === 0)) return; // amax 0 is an error for E4M3
          const opts = { ...o, numBits: [4, 3] as const };
          expect(computeAmaxMse(counts, edges, opts)).toBe(portAmaxMse(counts, edges, opts));
        },
      ),
      { numRuns: 150 },
    );
    const { counts, edges } = histogramOf(reluActivation(100_000, 5), 2048);
    const opts = { numBits: [4, 3] as const };
    expect(computeAmaxMse(counts, edges, opts)).toBe(portAmaxMse(counts, edges, opts));
    expect(mseSearch(counts, edges, opts).exactChecks).toBeLessThan(64);
  });

  it('breaks exact ties like the port on small dyadic histograms', () => {
    // Dyadic edges and tiny counts make different candidates' mses equal in exact arithmetic,
    // so only a faithful tie rule (the first float32 minimum) passes.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), { minLength: 2, maxLength: 12 }),
        fc.oneof(fc.integer({ min: 2, max: 4 }), fc.constant([4, 3] as const)),
        fc.boolean(),
        (bins, numBits, unsigned) => {
          const counts = bins.map(([c]) => c);
          if (counts.every((c) => c === 0)) return;
          const edges = new Float32Array(bins.length + 1);
          bins.forEach(([, w], j) => (edges[j + 1] = edges[j]! + w / 8));
          // E4M3 refuses amax 0: start at the first non-zero center.
          const startBin = typeof numBits === 'number' ? 0 : edges.findIndex((e) => e > 0);
          if (startBin < 0 || startBin >= counts.length) return;
          const o = { numBits, unsigned, startBin };
          expect(computeAmaxMse(counts, edges, o)).toBe(portAmaxMse(counts, edges, o));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('breaks near-ties like the port (cases where only float32 rounding decides)', () => {
    const cases = [
      { counts: [0, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0], edges: [0, 0.375, 0.625, 0.75, 1.125, 1.125, 1.125, 1.125, 1.5, 1.5, 1.875, 1.875], o: { numBits: 4, startBin: 0 } },
      { counts: [0, 0, 1, 3, 2, 0, 2, 2], edges: [0, 0, 0.125, 0.125, 0.25, 0.375, 0.75, 0.75, 0.875], o: { numBits: 2, startBin: 0 } },
    ];
    for (const { counts, edges, o } of cases) expect(computeAmaxMse(counts, edges, o)).toBe(portAmaxMse(counts, edges, o));
  });

  it('matches the port on a realistic 2048-bin activation histogram, checking few candidates exactly', () => {
    const { counts, edges } = histogramOf(reluActivation(200_000, 3), 2048);
    for (const o of [{}, { stride: 4 }, { numBits: 4, unsigned: true, startBin: 32 }]) {
      expect(computeAmaxMse(counts, edges, o)).toBe(portAmaxMse(counts, edges, o));
      expect(mseSearch(counts, edges, o).exactChecks).toBeLessThan(64);
    }
  });

  it('takes the first of tied candidates', () => {
    // All mass sits at 0 (zero-width bins), which every amax quantizes exactly: all mses are 0.
    const counts = new Array(300).fill(0);
    counts.fill(5, 0, 9);
    const edges = uniformEdges(300, 3);
    edges.fill(0, 0, 10);
    const centers = Float32Array.from({ length: 300 }, (_, j) => Math.fround(Math.fround(edges[j]! + edges[j + 1]!) / 2));
    expect(computeAmaxMse(counts, edges)).toBe(centers[128]);
    expect(computeAmaxMse(counts, edges, { startBin: 200, stride: 7 })).toBe(centers[200]);
    expect(computeAmaxMse(counts, edges)).toBe(portAmaxMse(counts, edges));
  });

  it('refuses bad options and histograms with clear errors', () => {
    const counts = new Array(256).fill(1);
    const edges = uniformEdges(256, 1);
    expect(() => computeAmaxMse(counts, edges, { startBin: 256 })).toThrow(/startBin 256 is beyond the histogram's 256 bins/);
    expect(() => computeAmaxMse(counts, edges, { stride: 1.5 })).toThrow(/stride must be an integer >= 1/);
    expect(() => computeAmaxMse(counts, edges, { numBits: 17 })).toThrow(/numBits/);
    expect(() => computeAmaxMse(counts, edges, { numBits: [5, 2] as unknown as [4, 3] })).toThrow(/integer or \[4, 3\]/);
    expect(() => computeAmaxMse(new Array(256).fill(0), edges)).toThrow(/histogram is empty/);
    expect(() => computeAmaxMse(counts, edges.subarray(0, 200))).toThrow(/need at least 257 edges/);
  });
});
