// The arguments the quantization ops share: amax as a number or a tensor (as the reference's
// functions take it), checked finite and non-negative; x as a float32 tensor; the options.
import * as tf from '@tensorflow/tfjs-core';
import { checkAmax, checkOptions, describeValue, resolveQuantOptions, shapeSize } from '@pq/core';
import type { FakeQuantOptions } from './fake_quant.js';
import type { IntQuantAttrs } from './kernel_names.js';

export function amaxTensor(amax: tf.Tensor | number, op: string): tf.Tensor {
  if (typeof amax === 'number') {
    // Checked as the float32 it becomes (1e39 is Infinity).
    checkAmax([Math.fround(amax)], `${op}: amax`);
    return tf.scalar(amax, 'float32');
  }
  if (!(amax instanceof tf.Tensor)) throw new TypeError(`${op}: amax must be a number or a tf.Tensor, got ${describeValue(amax)}`);
  const a = amax.dtype === 'float32' ? amax : tf.cast(amax, 'float32');
  checkAmax(a.dataSync(), `${op}: amax`);
  return a;
}

export function inputTensor(x: tf.Tensor, op: string): tf.Tensor {
  if (!(x instanceof tf.Tensor)) throw new TypeError(`${op}: x must be a tf.Tensor, got ${describeValue(x)}`);
  return x.dtype === 'float32' ? x : tf.cast(x, 'float32');
}

const INT_QUANT_OPTIONS = { numBits: 'integer', unsigned: 'boolean', narrowRange: 'boolean', kernels: 'object' } as const;

/** fakeQuant / realQuant options, checked (unknown keys, types, numBits range), as kernel attrs. */
export function intQuantAttrs(op: string, o: FakeQuantOptions): IntQuantAttrs {
  checkOptions(op, o, INT_QUANT_OPTIONS);
  const { kernels, ...quant } = o;
  return { ...resolveQuantOptions(quant, op), kernels: kernels ?? null };
}

/** Whether amax broadcasts to x as one value or as one per index of x's first axis (shape [n, 1, ...]). */
export function amaxPerFirstAxis(x: readonly number[], amax: readonly number[]): boolean {
  if (shapeSize(amax) === 1) return true;
  return amax.length === x.length && amax[0] === x[0] && amax.slice(1).every((d) => d === 1);
}
