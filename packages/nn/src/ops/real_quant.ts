import * as tf from '@tensorflow/tfjs-core';
import { PqTensorQuant } from './kernel_names.js';
import { amaxTensor, inputTensor, intQuantAttrs } from './amax_tensor.js';
import type { FakeQuantOptions } from './fake_quant.js';
import './register.js';

/**
 * Real quantization, the reference's `tensor_quant`: returns the integers (as float32 values)
 * and the scale used (`maxBound / amax`, 1 where amax is ~0), as a tfjs op whose gradient
 * is straight-through where |x| <= amax.
 *
 * ```js
 * const { outputs, scale } = realQuant(tf.tensor([0.5, -1]), 1);
 * outputs.print(); // [64, -127]
 * ```
 */
export function realQuant(
  x: tf.Tensor,
  amax: tf.Tensor | number,
  o: FakeQuantOptions = {},
): { outputs: tf.Tensor; scale: tf.Tensor } {
  const attrs = intQuantAttrs('realQuant', o);
  const [outputs, scale] = tf.tidy(
    () =>
      tf.engine().runKernel(
        PqTensorQuant,
        { x: inputTensor(x, 'realQuant'), amax: amaxTensor(amax, 'realQuant') },
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[],
  ) as [tf.Tensor, tf.Tensor];
  return { outputs, scale };
}
