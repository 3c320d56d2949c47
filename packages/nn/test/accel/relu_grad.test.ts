// pq's one-pass Relu gradient against tfjs's mul(dy, step(x)) on the stock cpu backend, bit for
// bit (zeros with their sign, NaN), and tfjs's gradient back in place after disabling.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { accelerationState } from './../../src/accel/index.js';
import { mismatches, onAccelerated, onStockCpu, randomArray, rng } from './helpers.js';

function reluGrad(x: Float32Array, dy: Float32Array): Float32Array {
  return tf.tidy(() => {
    const dyt = tf.tensor(dy, [4, dy.length / 4]);
    return tf.grad((v: tf.Tensor) => tf.mul(tf.relu(v), 1))(tf.tensor(x, [4, x.length / 4]), dyt).dataSync() as Float32Array;
  });
}

describe('pq Relu gradient', () => {
  const x = randomArray(400, rng(5));
  x.set([0, -0, Number.NaN, 1e-30, -1e-30, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], 0);
  const dy = randomArray(400, rng(6));

  it.each(['wasm', 'cpu'] as const)('on %s matches stock cpu bit for bit', async (backend) => {
    const stock = await onStockCpu(() => Float32Array.from(reluGrad(x, dy)));
    const fast = await onAccelerated(backend, () => {
      expect(accelerationState().kernels).toContain('Relu gradient');
      return Float32Array.from(reluGrad(x, dy));
    });
    expect(mismatches(fast, stock)).toEqual([]);
    expect(tf.getGradient('Relu')).not.toBeUndefined();
    expect(accelerationState().kernels).not.toContain('Relu gradient');
  });
});
