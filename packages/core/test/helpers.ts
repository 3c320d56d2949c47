// Test helpers: bit-exact comparison of float32 arrays (distinguishes -0 from 0, NaN equal to NaN).
import { goldenArray, type GoldenArray } from '@pq/fixtures';
import { expect } from 'vitest';
import type { NDArray } from '../src/index.js';

export function golden(a: GoldenArray): NDArray {
  return goldenArray(a);
}

/** First index where the float32 bit patterns differ (NaNs compare equal), or -1. */
export function firstBitDiff(a: Float32Array, b: Float32Array): number {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  }
  return -1;
}

export function expectBitExact(actual: NDArray, expected: NDArray, what = ''): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  expect(actual.data.length, `${what} length`).toBe(expected.data.length);
  const i = firstBitDiff(actual.data, expected.data);
  const msg = i < 0 ? '' : `${what} differs at ${i}: got ${Object.is(actual.data[i], -0) ? '-0' : actual.data[i]}, want ${Object.is(expected.data[i], -0) ? '-0' : expected.data[i]}`;
  expect(msg).toBe('');
}
