// The straight-through estimator shared by every quantizing op: the gradient passes where
// |x| <= amax (inclusive, amax broadcast) and is 0 elsewhere. amax gets no gradient (the
// reference detaches it), so its slot is zeros.
import * as tf from '@tensorflow/tfjs-core';

export function straightThrough(dy: tf.Tensor, x: tf.Tensor, amax: tf.Tensor): tf.Tensor {
  return tf.where(tf.lessEqual(tf.abs(x), amax), dy, tf.zerosLike(dy));
}
