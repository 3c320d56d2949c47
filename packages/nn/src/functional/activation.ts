// Elementwise activations, dropout and log-softmax.
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';
import { defaultGenerator } from '../random.js';

export function relu(x: tf.Tensor): tf.Tensor {
  return functional('relu', [x], {}, () => tf.relu(x));
}

export function sigmoid(x: tf.Tensor): tf.Tensor {
  return functional('sigmoid', [x], {}, () => tf.sigmoid(x));
}

export function tanh(x: tf.Tensor): tf.Tensor {
  return functional('tanh', [x], {}, () => tf.tanh(x));
}

/**
 * Zeroes each element with probability `p` and scales the rest by 1/(1-p) when `training`
 * (PyTorch's default is training = true); the identity otherwise. Masks come from the seedable
 * global generator (`manualSeed`).
 */
export function dropout(x: tf.Tensor, p = 0.5, training = true): tf.Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: probability has to be between 0 and 1, but got ${p}`);
  return functional('dropout', [x], { p, training }, () => {
    if (!training || p === 0) return tf.clone(x);
    if (p === 1) return tf.tidy(() => tf.mul(x, tf.zerosLike(x)));
    const keep = defaultGenerator.bernoulli(x.size, 1 - p);
    const scale = 1 / (1 - p);
    for (let i = 0; i < keep.length; i++) keep[i] = keep[i]! * scale;
    return tf.tidy(() => tf.mul(x, tf.tensor(keep, x.shape, 'float32')));
  });
}

/** PyTorch's implicit softmax dim (_get_softmax_dim): 0 for ranks 0, 1 and 3, else 1. */
function implicitDim(rank: number): number {
  return rank === 0 || rank === 1 || rank === 3 ? 0 : 1;
}

export function normalizeDim(op: string, dim: number, rank: number): number {
  const d = dim < 0 ? dim + rank : dim;
  if (!Number.isInteger(dim) || d < 0 || d >= Math.max(rank, 1)) {
    throw new Error(`${op}: dim ${dim} is out of range for a tensor of rank ${rank}`);
  }
  return d;
}

/** log(softmax(x)) along `dim` (PyTorch's implicit dim when omitted), computed stably. */
export function logSoftmax(x: tf.Tensor, dim?: number): tf.Tensor {
  const d = normalizeDim('logSoftmax', dim ?? implicitDim(x.rank), x.rank);
  return functional('logSoftmax', [x], { dim: d }, () => tf.tidy(() => tf.sub(x, tf.logSumExp(x, d, true))));
}

export function softmax(x: tf.Tensor, dim?: number): tf.Tensor {
  const d = normalizeDim('softmax', dim ?? implicitDim(x.rank), x.rank);
  return functional('softmax', [x], { dim: d }, () => tf.tidy(() => tf.exp(tf.sub(x, tf.logSumExp(x, d, true)))));
}

/** GELU (torch.nn.functional.gelu, approximate 'none'): `x * (1 + erf(x / sqrt(2))) / 2`. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return functional('gelu', [x], {}, () => tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1))));
}
