// pq's wasm PadV2 (a fill, then the input written into the interior) against tfjs's stock cpu
// PadV2, bit for bit: float32 and int32, zero and other constants, padding on inner and outer
// axes (conv2d's tap-cut gradient pads [Co, Ci, 1, 1] to [Co, Ci, 3, 3]), and rank 6, which
// merges to no more than 4 axes or goes to tfjs-wasm's kernel.
import { describe, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expectWasmMatchesStockCpu, randomArray, rng } from './helpers.js';

const cases: Array<{ shape: number[]; paddings: Array<[number, number]>; value: number }> = [
  { shape: [6, 5, 1, 1], paddings: [[0, 0], [0, 0], [1, 1], [1, 1]], value: 0 },
  { shape: [6, 5, 2, 2], paddings: [[0, 0], [0, 0], [1, 0], [1, 0]], value: 0 },
  { shape: [2, 3, 4, 5], paddings: [[0, 0], [1, 2], [2, 1], [0, 0]], value: -1.5 },
  { shape: [7], paddings: [[3, 2]], value: 2 },
  { shape: [2, 2, 2, 2, 2, 2], paddings: [[1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1]], value: 0 },
];

describe('pq PadV2 (wasm)', () => {
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s matches stock cpu', async (_, c) => {
    const data = randomArray(c.shape.reduce((a, b) => a * b, 1), rng(c.shape.length * 7 + c.shape[0]!), 100);
    const run = (): number[][] =>
      (['float32', 'int32'] as const).map((dtype) => tf.tidy(() => Array.from(tf.pad(tf.tensor(data, c.shape, dtype), c.paddings, c.value).dataSync())));
    await expectWasmMatchesStockCpu(run);
  });
});
