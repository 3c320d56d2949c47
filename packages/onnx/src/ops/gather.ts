// Gathering along one axis with a gradient that every backend can compute: tfjs's own Gather
// gradient needs UnsortedSegmentSum, which the wasm backend lacks, so the gradient here is the
// one-hot matrix product (each source row receives the sum of the rows gathered from it).
import * as tf from '@tensorflow/tfjs-core';

/** x gathered at `indices` (int32, each in 0..n-1) along `axis`; output shape x[:axis] + indices + x[axis+1:]. */
export function gatherAxis(x: tf.Tensor, indices: tf.Tensor, axis: number): tf.Tensor {
  if (x.dtype !== 'float32') return tf.gather(x, indices, axis);
  const n = x.shape[axis]!;
  const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const before = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const after = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const f = tf.customGrad(((t: tf.Tensor, idx: tf.Tensor, save: (ts: tf.Tensor[]) => void) => {
    const flat = tf.reshape(idx, [-1]) as tf.Tensor1D;
    // Saved tensors stay alive for the backward pass, whatever tidy the forward ran in.
    save([flat]);
    return {
      value: tf.reshape(tf.gather(t, flat, axis), outShape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const k = saved[0]!.shape[0]!;
        // dy as [before, k, after] -> [k, before * after]; the one-hot [k, n] spreads it back.
        const d = tf.reshape(tf.transpose(tf.reshape(dy, [before, k, after]), [1, 0, 2]), [k, before * after]);
        // tfjs's oneHot needs a depth of 2 or more; with one source row every gathered row is it.
        const g = n === 1 ? tf.sum(d, 0, true) : tf.matMul(tf.oneHot(saved[0] as tf.Tensor1D, n), d, true, false);
        return [tf.reshape(tf.transpose(tf.reshape(g, [n, before, after]), [1, 0, 2]), x.shape), tf.zeros(idx.shape)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, indices) as tf.Tensor;
}

/** `gatherAxis` with JS index values. */
export function gatherValues(x: tf.Tensor, indices: readonly number[], axis: number): tf.Tensor {
  return tf.tidy(() => gatherAxis(x, tf.tensor1d(indices as number[], 'int32'), axis));
}
