// pq's one-pass Relu gradient against tfjs's mul(dy, step(x)) on the stock cpu backend, bit for
// bit (zeros with their sign, NaN), and tfjs's gradient back in place after disabling; the same
// for hardtanh/relu6's one-pass kernel against its tfjs-ops select.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { accelerationState } from './../../src/accel/index.js';
import * as F from './../../src/functional/index.js';
import { mismatches, onAccelerated, onStockCpu, randomArray, rng } from './helpers.js';

function reluGrad(x: Float32Array, dy: Float32Array): Float32Array {
  return tf.tidy(() => {
    const dyt = tf.tensor(dy, [2, dy.length / 2]);
    return tf.grad((v: tf.Tensor) => tf.mul(tf.relu(v), 1))(tf.tensor(x, [2, x.length / 2]), dyt).dataSync() as Float32Array;
  });
}

describe('pq Relu gradient', () => {
  // 402 floats: wasm's SIMD kernel takes the last two one at a time, so both paths see the specials.
  const specials = [0, -0, Number.NaN, 1e-30, -1e-30, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  const x = randomArray(402, rng(5));
  x.set(specials, 0);
  x.set(specials.slice(-2), 400);
  const dy = randomArray(402, rng(6));
  dy.set([Number.POSITIVE_INFINITY, -0, Number.NaN], 4);
  dy.set([-0, Number.NEGATIVE_INFINITY], 400);

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

describe('pq hardtanh / relu6 gradient', () => {
  it("equals the tfjs ops' select bit for bit (the bounds, NaN, signed zeros, vector lanes and scalar tail)", async () => {
    // 67 values: the SIMD kernel's four-lane loop, then its scalar tail (the last three).
    const x = randomArray(67, rng(7), 8);
    x.set([0, -0, 6, -1, 1, Number.NaN, 5.999999, 1e-30], 0);
    x.set([Number.NaN, 6, -0], 64);
    const dy = randomArray(67, rng(8));
    dy.set([-0, 0, 2, 3, -0, 4, -0, -0], 8);
    dy.set([-0, 5, 2], 64);
    const byOps = (lo: number, hi: number): Float32Array =>
      tf.tidy(() => {
        const [v, g] = [tf.tensor(x), tf.tensor(dy)];
        return tf.where(tf.logicalOr(tf.lessEqual(v, lo), tf.greaterEqual(v, hi)), tf.zerosLike(g), g).dataSync() as Float32Array;
      });
    const viaF = (lo: number, hi: number): Float32Array =>
      tf.tidy(() => tf.grad((v: tf.Tensor) => F.hardtanh(v, lo, hi))(tf.tensor(x), tf.tensor(dy)).dataSync() as Float32Array);
    const stock = await onStockCpu(() => [byOps(0, 6), byOps(-1, 1)]);
    const fast = await onAccelerated('wasm', () => {
      expect(tf.getKernel('PqHardtanhGrad', 'wasm')).not.toBeUndefined();
      return [viaF(0, 6), viaF(-1, 1)];
    });
    fast.forEach((v, k) => expect(mismatches(Array.from(v), Array.from(stock[k]!))).toEqual([]));
  });
});
