// The input the browser test and its Node side both run the transformer fixture on.
import * as tf from '@tensorflow/tfjs-core';

export function browserInput(): tf.Tensor {
  return tf.tensor(Float32Array.from({ length: 2 * 5 * 16 }, (_, i) => Math.sin(i * 0.37)), [2, 5, 16]);
}
