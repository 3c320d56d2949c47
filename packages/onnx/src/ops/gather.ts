// Gathering along one axis with a gradient that every backend can compute: tfjs's own Gather
// gradient needs UnsortedSegmentSum, which the wasm backend lacks, so the gradient here is the
// one-hot matrix product (each source row receives the sum of the rows gathered from it).
import * as tf from '@tensorflow/tfjs-core';

/** x gathered at `indices` (int32, each in 0..n-1) along `axis`; output shape x[:axis] + indices + x[axis+1:]. */
export function gatherAxis(x: tf.Tensor, indices: tf.Tensor, axis: number): tf.Tensor {
  if (x.dtype !== 'float32') return tf.gather(x, indices, axis);
  const n = x.shape[axis]!;
  const flat = tf.reshape(indices, [-1]) as tf.Tensor1D;
  const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const f = tf.customGrad(((t: tf.Tensor) => ({
    value: tf.reshape(tf.gather(t, flat, axis), outShape),
    gradFunc: (dy: tf.Tensor) => tf.tidy(() => {
      // dy as [before, k, after] -> [k, before * after]; the one-hot [k, n] spreads it back.
      const before = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
      const after = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
      const k = flat.shape[0];
      const d = tf.reshape(tf.transpose(tf.reshape(dy, [before, k, after]), [1, 0, 2]), [k, before * after]);
      const g = tf.matMul(tf.oneHot(flat, n), d, true, false); // [n, before * after]
      return tf.reshape(tf.transpose(tf.reshape(g, [n, before, after]), [1, 0, 2]), x.shape);
    }),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  // `flat` stays alive with the result: the gradient reads it (an enclosing tidy frees both).
  return f(x) as tf.Tensor;
}

/** `gatherAxis` with JS index values. */
export function gatherValues(x: tf.Tensor, indices: readonly number[], axis: number): tf.Tensor {
  return tf.tidy(() => gatherAxis(x, tf.tensor1d(indices as number[], 'int32'), axis));
}
