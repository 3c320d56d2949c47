// Ops tfjs's wasm backend lacks or gets wrong run as tfjs's cpu kernels on the accelerated
// backend: UnsortedSegmentSum (Embedding's gradient, here with float indices), MaxPool3D and its
// gradient with a batch of 3, bit for bit with the stock cpu backend; disabling removes them.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Embedding, manualSeed } from './../../src/index.js';
import { accelerationState } from './../../src/accel/index.js';
import { mismatches, onAccelerated, onStockCpu, randomArray, rng, values } from './helpers.js';

function cases(): Float32Array[] {
  const x = tf.tensor(randomArray(3 * 4 * 4 * 4 * 2, rng(11)), [3, 4, 4, 4, 2]) as tf.Tensor5D;
  const pool = (t: tf.Tensor5D) => tf.maxPool3d(t, 2, 2, 'valid');
  const [dx] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(pool(t as tf.Tensor5D), 1.5)))([x]);
  const segments = tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor1d([2, 0, 2], 'int32'), 3);
  manualSeed(3);
  const emb = new Embedding(5, 3, { paddingIdx: 1 });
  const { grads } = tf.variableGrads(() => tf.sum(tf.square(emb.call(tf.tensor2d([[0, 1], [4, 4]])) as tf.Tensor)) as tf.Scalar, [emb.weight]);
  const out = values([pool(x), dx!, segments, grads[emb.weight.name]!]);
  emb.dispose();
  x.dispose();
  return out;
}

describe('cpu kernels for what tfjs-wasm lacks or gets wrong', () => {
  it('match the stock cpu backend bit for bit, and are removed by disableAcceleration', async () => {
    const stock = await onStockCpu(cases);
    const fast = await onAccelerated('wasm', () => {
      expect(tf.getBackend()).toBe('wasm');
      expect(accelerationState().kernels).toEqual(expect.arrayContaining(['UnsortedSegmentSum@wasm', 'MaxPool3D@wasm', 'MaxPool3DGrad@wasm']));
      return cases();
    });
    fast.forEach((f, i) => expect(mismatches(f, stock[i]!)).toEqual([]));
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined();
    expect(tf.getKernel('MaxPool3D', 'wasm')).not.toBeUndefined(); // tfjs's own is back
  });
});
