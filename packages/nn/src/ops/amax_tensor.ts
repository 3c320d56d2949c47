// Accepts amax as a number or a tensor, as the reference's functions do.
import * as tf from '@tensorflow/tfjs-core';

export function amaxTensor(amax: tf.Tensor | number, op: string): tf.Tensor {
  if (typeof amax === 'number') {
    if (!Number.isFinite(amax) && !Number.isNaN(amax)) throw new RangeError(`${op}: amax must be finite, got ${amax}`);
    return tf.scalar(amax, 'float32');
  }
  if (!(amax instanceof tf.Tensor)) throw new TypeError(`${op}: amax must be a number or a tf.Tensor, got ${String(amax)}`);
  return amax.dtype === 'float32' ? amax : tf.cast(amax, 'float32');
}

export function inputTensor(x: tf.Tensor, op: string): tf.Tensor {
  if (!(x instanceof tf.Tensor)) throw new TypeError(`${op}: x must be a tf.Tensor, got ${String(x)}`);
  return x.dtype === 'float32' ? x : tf.cast(x, 'float32');
}
