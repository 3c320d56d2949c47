// One LSTM step with PyTorch's gate order (input, forget, cell, output).
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';
import { formatShape } from '@pq/core';

/**
 * x [N, I], h and c [N, H], weightIh [4H, I], weightHh [4H, H], biases [4H] (optional):
 * gates = x·Wihᵀ + bih + h·Whhᵀ + bhh; c' = σ(f)·c + σ(i)·tanh(g); h' = σ(o)·tanh(c').
 */
export function lstmCell(
  x: tf.Tensor,
  h: tf.Tensor,
  c: tf.Tensor,
  weightIh: tf.Tensor,
  weightHh: tf.Tensor,
  biasIh?: tf.Tensor | null,
  biasHh?: tf.Tensor | null,
): [tf.Tensor, tf.Tensor] {
  const hidden = weightHh.shape[1]!;
  if (weightIh.rank !== 2 || weightHh.rank !== 2 || weightIh.shape[0] !== 4 * hidden || weightHh.shape[0] !== 4 * hidden) {
    throw new Error(`lstmCell: weights must be [4H, I] and [4H, H], got ${formatShape(weightIh.shape)} and ${formatShape(weightHh.shape)}`);
  }
  if (x.rank !== 2 || x.shape[1] !== weightIh.shape[1]) {
    throw new Error(`lstmCell: input must be [N, ${weightIh.shape[1]}], got ${formatShape(x.shape)}`);
  }
  const state = [x.shape[0]!, hidden];
  for (const [name, t] of [['h', h], ['c', c]] as const) {
    if (t.rank !== 2 || t.shape[0] !== state[0] || t.shape[1] !== state[1]) {
      throw new Error(`lstmCell: ${name} must be ${formatShape(state)}, got ${formatShape(t.shape)}`);
    }
  }
  return functional('lstmCell', [x, h, c, weightIh, weightHh, biasIh ?? null, biasHh ?? null], {}, () =>
    tf.tidy(() => {
      let gates = tf.add(tf.matMul(x, weightIh, false, true), tf.matMul(h, weightHh, false, true));
      if (biasIh) gates = tf.add(gates, biasIh);
      if (biasHh) gates = tf.add(gates, biasHh);
      const [i, f, g, o] = tf.split(gates, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const c1 = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      const h1 = tf.mul(tf.sigmoid(o), tf.tanh(c1));
      return [h1, c1] as [tf.Tensor, tf.Tensor];
    }),
  );
}
