import * as tf from '@tensorflow/tfjs-core';
import type { QuantKernels } from '@pq/core';
import { PqFakeTensorQuant } from './kernel_names.js';
import { amaxTensor, inputTensor, intQuantAttrs } from './amax_tensor.js';
import './register.js';

export interface FakeQuantOptions {
  /** Integer bits, 2..16 signed, 1..16 unsigned (default 8). */
  numBits?: number;
  /** Quantize to [0, 2^numBits - 1]; negative inputs are an error (default false). */
  unsigned?: boolean;
  /** Signed range [-(2^(n-1) - 1), 2^(n-1) - 1] instead of [-2^(n-1), ...] (default true). */
  narrowRange?: boolean;
  /** The kernels computing the forward (default: `getDefaultKernels()`, i.e. jsKernels). */
  kernels?: QuantKernels;
}

/**
 * Fake quantization (quantize then dequantize), the reference's `fake_tensor_quant`, as a
 * tfjs op: the forward runs on the pluggable QuantKernels, the gradient is straight-through
 * where |x| <= amax. amax broadcasts to x with numpy rules (a number, `[C,1,1,1]`, `[N]`...).
 *
 * ```js
 * fakeQuant(tf.tensor([0.3, -1.2, 2]), 1, { numBits: 4 }).print(); // [0.2857143, -1, 1]
 * ```
 */
export function fakeQuant(x: tf.Tensor, amax: tf.Tensor | number, o: FakeQuantOptions = {}): tf.Tensor {
  const attrs = intQuantAttrs('fakeQuant', o);
  return tf.tidy(() =>
    tf.engine().runKernel(
      PqFakeTensorQuant,
      { x: inputTensor(x, 'fakeQuant'), amax: amaxTensor(amax, 'fakeQuant') },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor,
  );
}
