// Elementwise activations (relu, sigmoid, tanh, the hard* family, silu, leakyRelu, gelu),
// dropout, softmax and log-softmax. Where PyTorch's gradient differs from what tfjs's ops
// would derive (at the clipping bounds), a custom gradient gives PyTorch's.
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@pq/core';
import { functional } from '../hooks.js';
import { checkNumber } from '../args.js';
import { defaultGenerator } from '../random.js';
import { PQ_HARDTANH_GRAD } from '../accel/relu_grad.js';

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

/**
 * min(max(x, minVal), maxVal), with PyTorch's gradient: dy strictly inside (minVal, maxVal),
 * 0 at and beyond the bounds (so a value clipped by an earlier layer passes no gradient).
 */
export function hardtanh(x: tf.Tensor, minVal = -1, maxVal = 1): tf.Tensor {
  checkNumber('hardtanh', 'minVal', minVal);
  checkNumber('hardtanh', 'maxVal', maxVal);
  if (minVal > maxVal) throw new Error(`hardtanh: minVal (${minVal}) must not exceed maxVal (${maxVal})`);
  return functional('hardtanh', [x], { minVal, maxVal }, () => clipWithInteriorGrad(x, minVal, maxVal));
}

/** min(max(x, 0), 6): PyTorch's relu6, which is hardtanh(x, 0, 6) (gradient 0 at 0 and at 6). */
export function relu6(x: tf.Tensor): tf.Tensor {
  return hardtanh(x, 0, 6);
}

/** A unary op with a gradient of its own: `value(x)` forward, `grad(dy, x)` backward. */
function withGrad(x: tf.Tensor, value: (x: tf.Tensor) => tf.Tensor, grad: (dy: tf.Tensor, x: tf.Tensor) => tf.Tensor): tf.Tensor {
  // tfjs types a custom-gradient function's parameters as (tensor | save function)[].
  const op = (input: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    (save as tf.GradSaveFunc)([input as tf.Tensor]);
    return { value: value(input as tf.Tensor), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => grad(dy, saved[0]!) };
  };
  return tf.customGrad(op)(x);
}

// PyTorch's hardtanh_backward: 0 where x <= lo or x >= hi (NaN passes dy, as there); one pass
// by pq's kernel on the accelerated backends (src/accel/relu_grad.ts), the same bits.
const clipWithInteriorGrad = (x: tf.Tensor, lo: number, hi: number): tf.Tensor =>
  withGrad(
    x,
    (v) => tf.clipByValue(v, lo, hi),
    (dy, v) =>
      v.dtype === 'float32' && dy.dtype === 'float32' && tf.getKernel(PQ_HARDTANH_GRAD, tf.getBackend()) !== undefined
        ? (tf.engine().runKernel(PQ_HARDTANH_GRAD, { x: v, dy }, { lo, hi }) as tf.Tensor)
        : tf.where(tf.logicalOr(tf.lessEqual(v, lo), tf.greaterEqual(v, hi)), tf.zerosLike(dy), dy),
  );

/** x · relu6(x + 3) / 6, with PyTorch's gradient (0 below -3, x/3 + 1/2 from -3 to just below 3, 1 from 3). */
export function hardswish(x: tf.Tensor): tf.Tensor {
  return functional('hardswish', [x], {}, () =>
    withGrad(
      x,
      (v) => tf.div(tf.mul(v, tf.clipByValue(tf.add(v, 3), 0, 6)), 6),
      (dy, v) => tf.where(tf.less(v, -3), tf.zerosLike(dy), tf.where(tf.less(v, 3), tf.mul(dy, tf.add(tf.div(v, 3), 0.5)), dy)),
    ),
  );
}

/** relu6(x + 3) / 6, with PyTorch's gradient (1/6 strictly inside (-3, 3), else 0). */
export function hardsigmoid(x: tf.Tensor): tf.Tensor {
  return functional('hardsigmoid', [x], {}, () =>
    withGrad(
      x,
      (v) => tf.div(tf.clipByValue(tf.add(v, 3), 0, 6), 6),
      (dy, v) => tf.where(tf.logicalAnd(tf.greater(v, -3), tf.less(v, 3)), tf.div(dy, 6), tf.zerosLike(dy)),
    ),
  );
}

/** x · sigmoid(x) (SiLU, also called swish). */
export function silu(x: tf.Tensor): tf.Tensor {
  return functional('silu', [x], {}, () => tf.tidy(() => tf.mul(x, tf.sigmoid(x))));
}

/** x where x > 0, negativeSlope · x elsewhere. */
export function leakyRelu(x: tf.Tensor, negativeSlope = 0.01): tf.Tensor {
  checkNumber('leakyRelu', 'negativeSlope', negativeSlope);
  return functional('leakyRelu', [x], { negativeSlope }, () => tf.leakyRelu(x, negativeSlope));
}

export type GeluApproximate = 'none' | 'tanh';

export interface GeluOptions {
  /** 'none' (default): x·Φ(x) with the exact erf; 'tanh': PyTorch's tanh approximation. */
  approximate?: GeluApproximate;
}

/** GELU: 0.5·x·(1 + erf(x/√2)), or 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) with approximate 'tanh'. */
export function gelu(x: tf.Tensor, o: GeluOptions = {}): tf.Tensor {
  checkOptions('gelu', o, ['approximate']);
  const approximate = o.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  return functional('gelu', [x], { approximate }, () =>
    tf.tidy(() => {
      const inner =
        approximate === 'none'
          ? tf.erf(tf.mul(x, Math.SQRT1_2))
          : tf.tanh(tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI)));
      return tf.mul(tf.mul(x, 0.5), tf.add(inner, 1));
    }),
  );
}
