// pq's wasm Slice (copies of contiguous runs) against tfjs's stock cpu Slice, bit for bit, on
// random shapes and slices of rank 1 to 5 (runs long and short: short ones go to tfjs-wasm's).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { int, mismatches, onAccelerated, onStockCpu, randomArray, rng } from './helpers.js';

describe('pq Slice (wasm)', () => {
  const cases = Array.from({ length: 10 }, (_, i) => {
    const next = rng(900 + i);
    const shape = Array.from({ length: 1 + (i % 5) }, () => int(next, 1, 9) * (next() < 0.3 ? 8 : 1));
    const begin = shape.map((d) => (next() < 0.5 ? 0 : int(next, 0, d - 1)));
    const size = shape.map((d, a) => (next() < 0.4 ? -1 : int(next, 1, d - begin[a]!)));
    return { shape, begin, size, data: randomArray(shape.reduce((p, d) => p * d, 1), next, 100) };
  });
  cases.push({ shape: [3, 3, 16, 32], begin: [1, 1, 0, 0], size: [1, 1, 16, 32], data: randomArray(3 * 3 * 16 * 32, rng(5)) });
  it.each(cases.map((c, i) => [i, JSON.stringify({ s: c.shape, b: c.begin, z: c.size }), c] as const))('case %i %s matches stock cpu', async (_, __, c) => {
    const run = (): number[][] =>
      (['float32', 'int32'] as const).map((dtype) => tf.tidy(() => Array.from(tf.slice(tf.tensor(c.data, c.shape, dtype), c.begin, c.size).dataSync())));
    const stock = await onStockCpu(run);
    const fast = await onAccelerated('wasm', () => {
      const before = tf.memory().numTensors;
      const r = run();
      expect(tf.memory().numTensors).toBe(before);
      return r;
    });
    fast.forEach((v, k) => expect(mismatches(v, stock[k]!)).toEqual([]));
  });
});
