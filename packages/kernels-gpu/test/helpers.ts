// Shared test helpers: bit-exact float comparison and seeded random data.
import { expect } from 'vitest';

/** Asserts identical float32 values, -0 and NaN included; names the first difference. */
export function expectSameFloats(actual: ArrayLike<number>, expected: ArrayLike<number>, what = 'values'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      expect.fail(`${what}: index ${i} is ${actual[i]} but expected ${expected[i]}`);
    }
  }
}

/** mulberry32: a small deterministic PRNG in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform values in [-scale, scale) as float32. */
export function randomData(n: number, seed: number, scale = 4): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 2 - 1) * scale;
  return out;
}

export function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}
