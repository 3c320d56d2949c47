// The straight-through estimator shared by the integer quantizing ops: the gradient passes
// where |x| <= amax (inclusive, amax broadcast) and is 0 elsewhere, computed by @pq/core's
// fakeTensorQuantGrad in the PqQuantGrad kernel. amax gets no gradient (the reference
// detaches it), so its slot is zeros.
import * as tf from '@tensorflow/tfjs-core';
import { PqQuantGrad } from '../kernel_names.js';

export function straightThrough(dy: tf.Tensor, x: tf.Tensor, amax: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(PqQuantGrad, { x, amax, dy }, {}) as tf.Tensor;
}
