import * as tf from '@tensorflow/tfjs-core';
import { inputTensor } from './amax_tensor.js';
import { formatShape } from '@pq/core';

/**
 * Clips x to [min, max] with PACT gradients (the reference's ClipFunction), so the clip
 * range can be learned: `dx = dy` where `min < x < max` (strict), else 0;
 * `dmin = sum(dy where x <= min)`, `dmax = sum(dy where x >= max)`. min and max are scalar
 * tensors (usually trainable variables).
 *
 * ```js
 * pactClip(tf.tensor([-2, 0.5, 3]), tf.scalar(-1), tf.scalar(1)).print(); // [-1, 0.5, 1]
 * ```
 */
export function pactClip(x: tf.Tensor, min: tf.Tensor, max: tf.Tensor): tf.Tensor {
  const input = inputTensor(x, 'pactClip');
  if (min.size !== 1 || max.size !== 1) {
    throw new RangeError(
      `pactClip: min and max must be scalars, got shapes ${formatShape(min.shape)} and ${formatShape(max.shape)}`,
    );
  }
  const forward = (xi: tf.Tensor, lo: tf.Tensor, hi: tf.Tensor, save: tf.GradSaveFunc) => {
    // Same order as the reference: min with max first, then max with min.
    const value = tf.maximum(tf.minimum(xi, hi), lo);
    save([xi, lo, hi]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, los, his] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const above = tf.greater(xs, los);
        const below = tf.less(xs, his);
        const zeros = tf.zerosLike(dy);
        const dx = tf.where(tf.logicalAnd(above, below), dy, zeros);
        const dlo = tf.reshape(tf.sum(tf.where(above, zeros, dy)), los.shape);
        const dhi = tf.reshape(tf.sum(tf.where(below, zeros, dy)), his.shape);
        return [dx, dlo, dhi];
      },
    };
  };
  // customGrad types its function as variadic; this one takes exactly (x, min, max, save).
  const clip = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return clip(input, min, max);
}
