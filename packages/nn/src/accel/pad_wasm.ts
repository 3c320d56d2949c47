// PadV2 (constant padding) on wasm as a fill and one strided write of the input into the
// interior, by pq's `place` kernel. tfjs-wasm's PadV2 moves one element at a time: the gradient
// of conv2d's tap cut, a [Co, Ci, 1, 1] centre padded back to [Co, Ci, 3, 3], took ~8 ms at
// 512x512 channels. Values are moved, not computed.
import type * as tf from '@tensorflow/tfjs-core';
import { shapeSize } from '@pq/core';
import { callKernel } from './kernel_call.js';
import { copyStrided, mergedView } from './strided_copy.js';
import { heapOffset, wasmKernels } from './wasm_kernels.js';

type WasmLike = { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo; typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array };

export function padWasm(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  attrs: { paddings: Array<[number, number]>; constantValue: number },
  original: tf.KernelConfig | undefined,
): tf.TensorInfo {
  const kernels = x.dtype === 'float32' || x.dtype === 'int32' ? wasmKernels(backend) : null;
  if (kernels === null || shapeSize(x.shape) === 0) return callKernel('PadV2', 'wasm', backend, { x }, attrs as never, original);
  const shape = x.shape.map((d, i) => attrs.paddings[i]![0] + d + attrs.paddings[i]![1]);
  const strides = shape.map((_, i) => 4 * shapeSize(shape.slice(i + 1)));
  if (mergedView(x.shape, strides).dims.length > 4) return callKernel('PadV2', 'wasm', backend, { x }, attrs as never, original);
  const b = backend as unknown as WasmLike;
  const out = b.makeOutput(shape, x.dtype);
  // The whole output filled, then the interior written: one fill is cheaper than the border's
  // many short runs.
  b.typedArrayFromHeap(out).fill(attrs.constantValue);
  const to = heapOffset(backend, out) + attrs.paddings.reduce((o, [before], i) => o + before * strides[i]!, 0);
  copyStrided(kernels, 'place', to, heapOffset(backend, x), x.shape, strides);
  return out;
}
