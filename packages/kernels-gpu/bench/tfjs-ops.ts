// The same math as tfjs-core ops on the cpu backend: what a user of @pq/nn would write
// without pq's kernels. Each function includes the upload (tensor) and readback (dataSync).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { maxBound, minBound, type NDArray } from '@pq/core';

export async function initTfjs(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

export function tfFakeQuant(x: NDArray, amax: NDArray): Float32Array {
  return tf.tidy(() => {
    const t = tf.tensor(x.data, [...x.shape]);
    const scale = tf.div(tf.scalar(maxBound(8)), tf.tensor(amax.data, [...amax.shape]));
    const q = tf.clipByValue(tf.round(tf.mul(t, scale)), minBound(8), maxBound(8));
    return tf.div(q, scale).dataSync() as Float32Array;
  });
}

export function tfQuant(x: NDArray, amax: NDArray): Float32Array {
  return tf.tidy(() => {
    const t = tf.tensor(x.data, [...x.shape]);
    const scale = tf.div(tf.scalar(maxBound(8)), tf.tensor(amax.data, [...amax.shape]));
    return tf.clipByValue(tf.round(tf.mul(t, scale)), minBound(8), maxBound(8)).dataSync() as Float32Array;
  });
}

export function tfReduceAmax(x: NDArray, axis?: number[]): Float32Array {
  return tf.tidy(() => tf.max(tf.abs(tf.tensor(x.data, [...x.shape])), axis, true).dataSync() as Float32Array);
}

export function tfHistogram(x: NDArray, bins: number, max: number): Float32Array {
  return tf.tidy(() => {
    const a = tf.abs(tf.tensor1d(x.data));
    const pos = tf.minimum(tf.floor(tf.div(tf.mul(a, tf.scalar(bins)), tf.scalar(max))), bins - 1);
    return tf.bincount(tf.cast(pos, 'int32') as tf.Tensor1D, tf.tensor1d([], 'float32'), bins).dataSync() as Float32Array;
  });
}
