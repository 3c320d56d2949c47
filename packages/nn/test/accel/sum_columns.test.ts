// Sum over leading axes on wasm (pq's SIMD column sum) against tfjs-wasm's stock Sum, bit for bit.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { disableAcceleration } from './../../src/accel/index.js';
import { mismatches, onAccelerated, randomArray, rng } from './helpers.js';

const CASES: Array<[number[], number | number[] | undefined, boolean]> = [
  [[64, 6, 6, 10], [0, 1, 2], false], // a conv bias's gradient, 10 channels (a SIMD tail of 2)
  [[300, 8], [0], false],
  [[5, 7, 12], [0, 1], true],
  [[5, 7, 12], [1, 0], false], // tfjs sums axis 1 outermost there: the stock kernel
  [[4, 3, 2, 5], -1, false], // not leading: the stock kernel
  [[6, 5], undefined, false],
];

function sums(): Float32Array[] {
  const next = rng(11);
  return CASES.map(([shape, axis, keepDims]) => tf.tidy(() => {
    // Mixed magnitudes (and a -0 column), so that any other summation order shows.
    const data = randomArray(shape.reduce((a, b) => a * b, 1), next).map((v, i) => (i % 3 === 0 ? v * 1e4 : v));
    const last = shape[shape.length - 1]!;
    for (let i = 0; i < data.length; i += last) data[i] = -0;
    const s = tf.sum(tf.tensor(data, shape), axis, keepDims);
    expect(s.shape).toEqual(tf.tidy(() => tf.zeros(shape).sum(axis, keepDims).shape));
    return Float32Array.from(s.dataSync());
  }));
}

describe('pq Sum over leading axes', () => {
  it('is tfjs-wasm stock Sum bit for bit', async () => {
    const fast = await onAccelerated('wasm', sums);
    disableAcceleration();
    await tf.setBackend('wasm');
    const stock = sums();
    await tf.setBackend('cpu');
    fast.forEach((f, i) => expect(mismatches(f, stock[i]!), JSON.stringify(CASES[i])).toEqual([]));
  });
});
