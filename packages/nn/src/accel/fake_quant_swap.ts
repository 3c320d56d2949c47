// A convolution weight's fake quantization fused with its layout change to tfjs's (one pass over
// the weight instead of two, and the same in the gradient): w [O, I, k...] quantized with an amax
// per output channel (or one amax) and laid out as [k..., I, O], on the native kernels'
// fakeQuantSwap / straightThroughSwap. A quantized ResNet-18 step fake-quantizes and transposes
// all of its 11M weights, then transposes their gradients back and masks them: four passes over
// 45 MB become two. The result is transpose(fakeQuant(w, amax)) bit for bit, its gradient
// fakeQuant's straight-through one transposed back. Its own op, registered on wasm while pq's
// kernels are installed; elsewhere `fakeQuantChannelsLast` returns null and the caller runs the
// two ops.
import * as tf from '@tensorflow/tfjs-core';
import { jsKernels, maxBound, minBound, quantScales, shapeSize } from '@pq/core';
import { amaxPerFirstAxis, amaxTensor, inputTensor, intQuantAttrs } from '../ops/amax_tensor.js';
import { getDefaultKernels } from '../ops/default_kernels.js';
import type { FakeQuantOptions } from '../ops/fake_quant.js';
import { installedNativeKernels } from './channels_first.js';
import { onNative } from './native_op.js';

/** inputs `{ x, amax }`: x [O, I, k...], amax of one element or [O, 1, ...]; attrs `numBits`, `narrowRange`. Output [k..., I, O]. */
export const PqFakeQuantChannelsLast = 'PqFakeQuantChannelsLast';
/** Its gradient: inputs `{ x, amax, dy }`, dy [k..., I, O]; output [O, I, k...]. */
export const PqFakeQuantChannelsLastGrad = 'PqFakeQuantChannelsLastGrad';

interface Attrs {
  numBits: number;
  narrowRange: boolean;
}

/**
 * transpose(fakeQuant(w, amax, o), [2, ..., 1, 0]) as one op where the fused kernels run it:
 * float32 w [O, I, k...] holding data, signed quantization on @pq/core's own kernels, amax one
 * value or one per output channel, pq's kernels installed on wasm with the native ones. Null
 * elsewhere. Bad options or amax get fakeQuant's errors.
 */
export function fakeQuantChannelsLast(w: tf.Tensor, amax: tf.Tensor | number, o: FakeQuantOptions = {}): tf.Tensor | null {
  const attrs = intQuantAttrs('fakeQuant', o);
  if (installedNativeKernels(tf.getBackend()) === null || attrs.unsigned || (attrs.kernels ?? getDefaultKernels()) !== jsKernels) return null;
  if (w.dtype !== 'float32' || w.rank < 3 || w.size === 0 || !amaxPerFirstAxis(w.shape, typeof amax === 'number' ? [] : amax.shape)) return null;
  const kernelAttrs: Attrs = { numBits: attrs.numBits, narrowRange: attrs.narrowRange };
  return tf.tidy(() =>
    tf.engine().runKernel(PqFakeQuantChannelsLast, { x: inputTensor(w, 'fakeQuant'), amax: amaxTensor(amax, 'fakeQuant') }, kernelAttrs as unknown as tf.NamedAttrMap) as tf.Tensor,
  );
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };
interface Heap {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** x [O, I, k...] as the kernels' [outer, middle, inner], and the layout they swap it to. */
function swapShape(x: readonly number[]): { outer: number; middle: number; inner: number; swapped: number[] } {
  const [outer, middle, ...k] = x as [number, number, ...number[]];
  return { outer, middle, inner: shapeSize(k), swapped: [...k, middle, outer] };
}

/** amax's values, copied off the heap (a later allocation may grow it and detach a view). */
function amaxValues(backend: tf.KernelBackend, amax: tf.TensorInfo): Float32Array {
  return Float32Array.from((backend as unknown as Heap).typedArrayFromHeap(amax));
}

/** One value per output channel: amax's own, or its one value repeated. */
function perRow(values: Float32Array, outer: number): Float32Array {
  return values.length === outer ? values : new Float32Array(outer).fill(values[0]!);
}

function forward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, amax } = inputs as { x: tf.TensorInfo; amax: tf.TensorInfo };
  const a = attrs as unknown as Attrs;
  const { outer, middle, inner, swapped } = swapShape(x.shape);
  const hi = maxBound(a.numBits, false);
  const lo = minBound(a.numBits, false, a.narrowRange);
  // core's scales, as its fake quantization computes them.
  const { quant, out } = quantScales({ data: amaxValues(backend, amax), shape: [...amax.shape] }, hi);
  return onNative(PqFakeQuantChannelsLast, backend, swapped, [x], (k, y, [xv]) => k.fakeQuantSwap(xv!, y, outer, middle, inner, perRow(quant, outer), perRow(out, outer), lo, hi));
}

function gradient({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { x, amax, dy } = inputs as { x: tf.TensorInfo; amax: tf.TensorInfo; dy: tf.TensorInfo };
  const { outer, middle, inner } = swapShape(x.shape);
  const bound = perRow(amaxValues(backend, amax), outer);
  return onNative(PqFakeQuantChannelsLastGrad, backend, [...x.shape], [x, dy], (k, dx, [xv, dyv]) => k.straightThroughSwap(xv!, dyv!, dx, outer, middle, inner, bound));
}

/** The two kernels for the wasm backend, by name. */
export const fakeQuantChannelsLastKernels: ReadonlyArray<[string, tf.KernelFunc]> = [
  [PqFakeQuantChannelsLast, forward as tf.KernelFunc],
  [PqFakeQuantChannelsLastGrad, gradient as tf.KernelFunc],
];

/** amax gets no gradient (the reference detaches it), as fakeQuant's. */
export const fakeQuantChannelsLastGradConfig: tf.GradConfig = {
  kernelName: PqFakeQuantChannelsLast,
  inputsToSave: ['x', 'amax'],
  gradFunc: (dy, saved) => {
    const [x, amax] = saved as [tf.Tensor, tf.Tensor];
    return {
      x: () => tf.engine().runKernel(PqFakeQuantChannelsLastGrad, { x, amax, dy: dy as tf.Tensor }, {}) as tf.Tensor,
      amax: () => tf.zerosLike(amax),
    };
  },
};
