import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fakeTensorQuant, maxBound, minBound, ndarray, reduceAmax, tensorQuant, type NDArray } from '../src/index.js';
import { firstBitDiff } from './helpers.js';

const finite = (min: number, max: number) =>
  fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true, noDefaultInfinity: true });

/** x, amax (per tensor or per channel of a [rows, cols] x) and integer options. */
const quantCase = fc
  .record({
    rows: fc.integer({ min: 1, max: 6 }),
    cols: fc.integer({ min: 1, max: 40 }),
    numBits: fc.integer({ min: 2, max: 16 }),
    unsigned: fc.boolean(),
    narrowRange: fc.boolean(),
    perChannel: fc.boolean(),
    seedValues: fc.array(finite(-1000, 1000), { minLength: 240, maxLength: 240 }),
    amaxes: fc.array(fc.oneof(finite(1e-3, 1000), fc.constant(0)), { minLength: 6, maxLength: 6 }),
  })
  .map((c) => {
    const n = c.rows * c.cols;
    const data = c.seedValues.slice(0, n).map((v) => (c.unsigned ? Math.abs(v) : v));
    const x = ndarray(data, [c.rows, c.cols]);
    const amax: NDArray = c.perChannel
      ? ndarray(c.amaxes.slice(0, c.rows), [c.rows, 1])
      : ndarray([c.amaxes[0]!], []);
    return { x, amax, o: { numBits: c.numBits, unsigned: c.unsigned, narrowRange: c.narrowRange } };
  });

const amaxOf = (amax: NDArray, row: number) => (amax.shape.length === 0 ? amax.data[0]! : amax.data[row]!);

describe('fakeTensorQuant properties', () => {
  it('is idempotent (bit for bit)', () => {
    fc.assert(
      fc.property(quantCase, ({ x, amax, o }) => {
        const once = fakeTensorQuant(x, amax, o);
        const twice = fakeTensorQuant(once, amax, o);
        expect(firstBitDiff(once.data, twice.data)).toBe(-1);
      }),
      { numRuns: 200 },
    );
  });

  it('errs by at most half a step inside [-amax, amax]', () => {
    fc.assert(
      fc.property(quantCase, ({ x, amax, o }) => {
        const out = fakeTensorQuant(x, amax, o);
        const cols = x.shape[1]!;
        const mb = maxBound(o.numBits, o.unsigned);
        for (let i = 0; i < x.data.length; i++) {
          const a = amaxOf(amax, Math.floor(i / cols));
          const v = x.data[i]!;
          if (a <= 2 ** -24 || Math.abs(v) > a) continue;
          const halfStep = a / mb / 2;
          // float32 rounding of x * scale and of q / scale adds a few ulps.
          expect(Math.abs(out.data[i]! - v)).toBeLessThanOrEqual(halfStep * (1 + 1e-5) + Math.abs(v) * 2 ** -22);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('takes at most 2^numBits distinct values per amax', () => {
    fc.assert(
      fc.property(quantCase, ({ x, amax, o }) => {
        const out = fakeTensorQuant(x, amax, o);
        const cols = x.shape[1]!;
        const rows = amax.shape.length === 0 ? 1 : x.shape[0]!;
        const per = rows === 1 ? out.data.length : cols;
        for (let r = 0; r < rows; r++) {
          expect(new Set(out.data.subarray(r * per, (r + 1) * per)).size).toBeLessThanOrEqual(2 ** o.numBits);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('tensorQuant properties', () => {
  it('outputs integers within [minBound, maxBound]', () => {
    fc.assert(
      fc.property(quantCase, ({ x, amax, o }) => {
        const { outputs, scale } = tensorQuant(x, amax, o);
        const hi = maxBound(o.numBits, o.unsigned);
        const lo = minBound(o.numBits, o.unsigned, o.narrowRange);
        for (const q of outputs.data) {
          expect(Number.isInteger(q)).toBe(true);
          expect(q).toBeGreaterThanOrEqual(lo);
          expect(q).toBeLessThanOrEqual(hi);
        }
        expect(scale.shape).toEqual(amax.shape);
      }),
      { numRuns: 200 },
    );
  });

  it('fake quant equals tensorQuant outputs divided by the scale', () => {
    fc.assert(
      fc.property(quantCase, ({ x, amax, o }) => {
        const { outputs, scale } = tensorQuant(x, amax, o);
        const fake = fakeTensorQuant(x, amax, o);
        const cols = x.shape[1]!;
        const want = outputs.data.map((q, i) => q / (scale.shape.length === 0 ? scale.data[0]! : scale.data[Math.floor(i / cols)]!));
        expect(firstBitDiff(fake.data, want)).toBe(-1);
      }),
      { numRuns: 100 },
    );
  });
});

describe('reduceAmax properties', () => {
  it('per-axis amax agrees with a brute-force max over every axis subset', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 15 }),
        fc.boolean(),
        (shape, mask, keepDims) => {
          const n = shape.reduce((a, b) => a * b, 1);
          const x = ndarray(Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 100), shape);
          const axes = shape.map((_, i) => i).filter((i) => (mask >> i) & 1);
          const r = reduceAmax(x, axes, keepDims);
          const keep = shape.map((d, i) => (axes.includes(i) ? 1 : d));
          const want = new Float32Array(keep.reduce((a, b) => a * b, 1));
          const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
          const kstrides = keep.map((_, i) => keep.slice(i + 1).reduce((a, b) => a * b, 1));
          for (let i = 0; i < n; i++) {
            let o = 0;
            for (let d = 0; d < shape.length; d++) {
              const idx = Math.floor(i / strides[d]!) % shape[d]!;
              if (!axes.includes(d)) o += idx * kstrides[d]!;
            }
            want[o] = Math.max(want[o]!, Math.abs(x.data[i]!));
          }
          expect(Array.from(r.data)).toEqual(Array.from(want));
        },
      ),
      { numRuns: 200 },
    );
  });
});
