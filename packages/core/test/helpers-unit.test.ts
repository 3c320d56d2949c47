import { describe, expect, it } from 'vitest';
import {
  blockPlan, broadcastTo, forEachBlock, histc, histogram, maxBound, minBound, ndarray, normalizeAxes,
  normalizeAxis, rint, scalar, shapeSize, shapeStrides,
} from '../src/index.js';

describe('rint (round half to even)', () => {
  it('rounds ties to even', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, -3.5].map(rint)).toEqual([0, 2, 2, 4, -0, -2, -2, -4]);
  });
  it('rounds non-ties to nearest and keeps signed zero and NaN', () => {
    expect([0.49999997, 0.50000006, -1.4, 2.6, 1e30].map(rint)).toEqual([0, 1, -1, 3, 1e30]);
    expect(Object.is(rint(-0.3), -0)).toBe(true);
    expect(Object.is(rint(-0), -0)).toBe(true);
    expect(rint(NaN)).toBeNaN();
    expect(rint(Infinity)).toBe(Infinity);
    expect(rint(8388609.5)).toBe(8388610);
  });
});

describe('bounds', () => {
  it('maxBound/minBound follow the reference', () => {
    expect(maxBound(8)).toBe(127);
    expect(maxBound(8, true)).toBe(255);
    expect(maxBound(1, true)).toBe(1);
    expect(minBound(8, false, true)).toBe(-127);
    expect(minBound(8, false, false)).toBe(-128);
    expect(minBound(8, true, false)).toBe(0);
  });
});

describe('shape utilities', () => {
  it('size and strides', () => {
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([2, 3, 4])).toBe(24);
    expect(shapeStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(shapeStrides([])).toEqual([]);
  });
  it('normalizes negative axes and names axis and rank in errors', () => {
    expect(normalizeAxis(-1, 3)).toBe(2);
    expect(normalizeAxes([2, -3], 3)).toEqual([0, 2]);
    expect(() => normalizeAxis(3, 3)).toThrow(/axis 3 is out of range for rank 3/);
    expect(() => normalizeAxis(-4, 3)).toThrow(/axis -4 is out of range for rank 3/);
    expect(() => normalizeAxis(0.5, 3)).toThrow(/axis 0.5/);
    expect(() => normalizeAxes([0, -3], 3)).toThrow(/repeated/);
  });
  it('broadcasts with numpy rules onto x shape', () => {
    expect(broadcastTo([], [2, 3])).toEqual([1, 1]);
    expect(broadcastTo([3], [2, 3])).toEqual([1, 3]);
    expect(broadcastTo([1, 2, 1], [2, 3])).toEqual([2, 1]);
    expect(() => broadcastTo([2], [2, 3])).toThrow('amax shape [2] does not broadcast to input shape [2, 3]');
    expect(() => broadcastTo([2, 2, 3], [2, 3])).toThrow(/does not broadcast/);
  });
  it('ndarray validates the data length', () => {
    expect(ndarray([1, 2, 3, 4], [2, 2]).shape).toEqual([2, 2]);
    expect(ndarray([1, 2]).shape).toEqual([2]);
    expect(scalar(3).shape).toEqual([]);
    expect(() => ndarray([1, 2, 3], [2, 2])).toThrow('shape [2, 2] needs 4 elements but data has 3');
    expect(() => ndarray([1], [-1])).toThrow(/invalid dimension -1/);
  });
});

describe('blockPlan walks x once in order', () => {
  const visit = (x: number[], b: number[]) => {
    const plan = blockPlan(x, b);
    const seen: [number, number][] = [];
    forEachBlock(plan, (xi, bi) => seen.push([xi, bi]));
    return { plan, seen };
  };
  it('per-tensor is one block', () => {
    const { plan, seen } = visit([4, 5, 6], []);
    expect(plan.blockLen).toBe(120);
    expect(seen).toEqual([[0, 0]]);
  });
  it('per-channel axis 0 gives one block per channel', () => {
    const { plan, seen } = visit([3, 2, 2], [3, 1, 1]);
    expect(plan.vector).toBe(false);
    expect(seen).toEqual([[0, 0], [4, 1], [8, 2]]);
  });
  it('axis 1 repeats channels along the leading axis', () => {
    const { seen } = visit([2, 3, 2], [1, 3, 1]);
    expect(seen).toEqual([[0, 0], [2, 1], [4, 2], [6, 0], [8, 1], [10, 2]]);
  });
  it('last-axis amax is a vector block', () => {
    const { plan, seen } = visit([2, 3, 4], [4]);
    expect(plan.vector).toBe(true);
    expect(plan.blockLen).toBe(4);
    expect(seen.map((s) => s[1])).toEqual([0, 0, 0, 0, 0, 0]);
  });
  it('matches brute-force index arithmetic on a mixed broadcast', () => {
    const x = [2, 3, 1, 4, 5];
    const b = [2, 1, 1, 4, 1];
    const plan = blockPlan(x, b);
    const got: number[] = [];
    forEachBlock(plan, (xi, bi) => {
      for (let j = 0; j < plan.blockLen; j++) got[xi + j] = plan.vector ? bi + j : bi;
    });
    const want: number[] = [];
    for (let i = 0; i < 120; i++) {
      const i0 = Math.floor(i / 60);
      const i3 = Math.floor(i / 5) % 4;
      want.push(i0 * 4 + i3);
    }
    expect(got).toEqual(want);
  });
});

describe('histogram (torch.histc rules)', () => {
  it('bins |x| over [0, max], max into the last bin, outside ignored', () => {
    const h = histogram(ndarray([0, -0.5, 0.99, 1, 2, -4, 4, 5, NaN]), 4, 4);
    expect(Array.from(h)).toEqual([3, 1, 1, 2]);
  });
  it('skipZeros drops exact zeros', () => {
    expect(Array.from(histogram(ndarray([0, -0, 1]), 2, 2, { skipZeros: true }))).toEqual([0, 1]);
  });
  it('min == max falls back to the data range, then widens by 1 (like torch)', () => {
    expect(Array.from(histc(Float32Array.of(0, 0, 0), 4, 0, 0))).toEqual([0, 0, 3, 0]);
    expect(Array.from(histc(Float32Array.of(1, 3), 2, 0, 0))).toEqual([1, 1]);
  });
  it('rejects bad arguments', () => {
    expect(() => histogram(ndarray([1]), 0, 1)).toThrow(/numBins must be a positive integer, got 0/);
    expect(() => histogram(ndarray([1]), 4, -1)).toThrow(/max must be a finite number >= 0, got -1/);
    expect(() => histogram(ndarray([1]), 4, NaN)).toThrow(/got NaN/);
  });
});
