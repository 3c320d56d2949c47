import * as tf from '@tensorflow/tfjs-core';
import { E4M3_MAX, formatShape } from '@pq/core';
import { PqScaledE4M3, type ScaledE4M3Attrs } from './kernel_names.js';
import { amaxTensor, inputTensor } from './amax_tensor.js';
import './register.js';

/**
 * FP8 E4M3 fake quantization, the reference's `scaled_e4m3`: `e4m3(x * 448 / amax) * amax / 448`,
 * or `e4m3(x)` without amax. Per tensor only (amax a scalar). Gradient: straight-through
 * where |x| <= amax (448 without amax).
 *
 * ```js
 * fakeE4M3(tf.tensor([0.3, 1000])).print(); // [0.3125, 448]
 * ```
 */
export function fakeE4M3(x: tf.Tensor, amax?: tf.Tensor | number): tf.Tensor {
  return tf.tidy(() => {
    // Without amax the op still gets one (448, E4M3's largest value): the kernel then runs
    // plain e4m3(x), and the gradient's pass band is [-448, 448].
    const a = amax === undefined ? tf.scalar(E4M3_MAX) : amaxTensor(amax, 'fakeE4M3');
    if (a.size !== 1) {
      throw new RangeError(`fakeE4M3: E4M3 is per-tensor only; amax must have one element, got shape ${formatShape(a.shape)}`);
    }
    const attrs: ScaledE4M3Attrs = { hasAmax: amax !== undefined };
    return tf.engine().runKernel(PqScaledE4M3, { x: inputTensor(x, 'fakeE4M3'), amax: a }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  });
}
