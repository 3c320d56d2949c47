import * as tf from '@tensorflow/tfjs-core';
import { PqBatchNormTrain, type BatchNormAttrs } from './kernel_names.js';
import './register.js';

/**
 * Batch normalisation of `x` [N, C, ...] with its own statistics over N and the spatial dims:
 * y = (x - mean) / sqrt(var + eps) * weight + bias, as one op with one backward kernel.
 * Returns y and the batch's mean and biased variance ([C]; not differentiated: they are for
 * the running statistics). `F.batchNorm` is the public entry.
 */
export function batchNormTrain(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const attrs: BatchNormAttrs = { eps };
  const [y, mean, variance] = tf.engine().runKernel(PqBatchNormTrain, { x, weight, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { y: y!, mean: mean!, variance: variance! };
}
