// Sum over leading axes on wasm (a bias's gradient: dy [N, H, W, C] summed to [C]) as one pass
// of pq's SIMD column sum, where tfjs-wasm first transposes dy so that every channel is a row,
// then sums the rows. Each column is summed as tfjs sums its row: in float32, from +0, in the
// order of the leading index, so the bits are the stock kernel's. Sums over every axis but one
// in the middle (a channels-first bias's gradient: dy [N, C, H, W] over N, H and W) go to the
// native kernels' channelSums where they run, with the same bits.
import * as tf from '@tensorflow/tfjs-core';
import { shapeSize } from '@pq/core';
import { allocOutput, fillOnHeap } from './data_access.js';
import { callKernel } from './kernel_call.js';
import { nativeKernels } from './native_provider.js';
import { heapOffset, wasmKernels } from './wasm_kernels.js';

/** Columns narrower than this are left to tfjs (its row sums are fine there). */
const MIN_COLS = 4;

/** The sum over every axis but one in the middle, given in order, on the native kernels; null when it is not that or they do not run. */
function aroundChannels(backend: tf.KernelBackend, x: tf.TensorInfo, axes: number[], keepDims: boolean): tf.TensorInfo | null {
  const rank = x.shape.length;
  const kept = x.shape.findIndex((_, a) => !axes.includes(a));
  const inOrder = axes.length === rank - 1 && axes.every((a, i) => i === 0 || a > axes[i - 1]!);
  const k = inOrder && kept > 0 && kept < rank - 1 && x.dtype === 'float32' ? nativeKernels() : null;
  if (k === null) return null;
  const outer = shapeSize(x.shape.slice(0, kept)), c = x.shape[kept]!, inner = shapeSize(x.shape.slice(kept + 1));
  const shape = keepDims ? x.shape.map((d, a) => (a === kept ? d : 1)) : [c];
  return fillOnHeap(backend, shape, [x], (sums, [xv]) => k.channelSums(xv!, sums, outer, c, inner));
}

export function sumColumns(original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }) => {
    const x = inputs['x']!;
    const { axis, keepDims } = attrs as { axis: number | number[] | null; keepDims: boolean };
    const axes = axis == null ? x.shape.map((_, i) => i) : tf.util.parseAxisParam(axis, x.shape);
    const k = axes.length;
    // Only the leading axes given as 0..k-1 (some, not all): tfjs sums the axes in the order
    // given, so [1, 0] is another order of the same numbers.
    const leading = k > 0 && k < x.shape.length && axes.every((a, i) => a === i);
    const channels = leading ? null : aroundChannels(backend, x, axes, keepDims);
    if (channels !== null) return channels;
    const cols = leading ? shapeSize(x.shape.slice(k)) : 0;
    const simd = cols >= MIN_COLS && x.dtype === 'float32' ? wasmKernels(backend) : null;
    if (simd === null) return callKernel('Sum', 'wasm', backend, inputs, attrs, original);
    const shape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
    const out = allocOutput(backend, shape);
    out.view(); // zeroes the sums
    const info = out.finish();
    simd.col_sum(heapOffset(backend, x), heapOffset(backend, info), shapeSize(x.shape) / cols, cols);
    return info;
  }) as tf.KernelFunc;
}
