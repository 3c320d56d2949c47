// pq's wasm Slice (copies of contiguous runs) against tfjs's stock cpu Slice, bit for bit, on
// random shapes and slices of rank 1 to 5 (runs long and short: short ones go through pq's
// strided-copy kernel).
import { describe, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expectWasmMatchesStockCpu, int, randomArray, rng } from './helpers.js';

describe('pq Slice (wasm)', () => {
  const cases = Array.from({ length: 10 }, (_, i) => {
    const next = rng(900 + i);
    const shape = Array.from({ length: 1 + (i % 5) }, () => int(next, 1, 9) * (next() < 0.3 ? 8 : 1));
    const begin = shape.map((d) => (next() < 0.5 ? 0 : int(next, 0, d - 1)));
    const size = shape.map((d, a) => (next() < 0.4 ? -1 : int(next, 1, d - begin[a]!)));
    return { shape, begin, size, data: randomArray(shape.reduce((p, d) => p * d, 1), next, 100) };
  });
  cases.push({ shape: [3, 3, 16, 32], begin: [1, 1, 0, 0], size: [1, 1, 16, 32], data: randomArray(3 * 3 * 16 * 32, rng(5)) });
  // A PyTorch-layout kernel's taps (conv2d cuts them before the layout change): short strided runs.
  cases.push({ shape: [6, 5, 3, 3], begin: [0, 0, 1, 1], size: [-1, -1, 1, 1], data: randomArray(6 * 5 * 9, rng(6)) });
  cases.push({ shape: [6, 5, 3, 3], begin: [0, 0, 1, 1], size: [-1, -1, 2, 2], data: randomArray(6 * 5 * 9, rng(7)) });
  it.each(cases.map((c, i) => [i, JSON.stringify({ s: c.shape, b: c.begin, z: c.size }), c] as const))('case %i %s matches stock cpu', async (_, __, c) => {
    const run = (): number[][] =>
      (['float32', 'int32'] as const).map((dtype) => tf.tidy(() => Array.from(tf.slice(tf.tensor(c.data, c.shape, dtype), c.begin, c.size).dataSync())));
    await expectWasmMatchesStockCpu(run);
  });
});
