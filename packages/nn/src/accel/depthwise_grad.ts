// The depthwise convolution's gradients on wasm, which tfjs's wasm backend lacks (without pq they
// run as tfjs's cpu kernels on copies of the tensors, ~100x slower): pq's SIMD kernel (mode 0:
// filter gradient, mode 1: input gradient of kernels.wat's `dw`) in the wasm heap, for a channel
// multiplier of 1 (MobileNet's and every `groups == channels` conv's case); on Node, with
// dilation 1, the native kernels instead, which sum in the same order with the same roundings
// (the same bits, several times faster and on the native threads). Other multipliers call the
// kernel pq replaced.
import type * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import { callKernel } from './kernel_call.js';
import { fillOnHeap } from './data_access.js';
import { nativeGeometry } from './native_conv.js';
import { nativeKernels } from './native_provider.js';
import { heapOffset, wasmKernels } from './wasm_kernels.js';

interface DepthwiseAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: unknown;
  dimRoundingMode?: unknown;
}

type Mode = 0 | 1;

function run(
  backend: tf.KernelBackend,
  mode: Mode,
  xShape: number[],
  filterShape: number[],
  a: DepthwiseAttrs,
  operands: { x: tf.TensorInfo | null; dy: tf.TensorInfo; filter: tf.TensorInfo | null },
): tf.TensorInfo | null {
  if (filterShape[3] !== 1 || operands.dy.dtype !== 'float32') return null;
  const kernels = wasmKernels(backend);
  if (kernels === null) return null;
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    a.strides, a.dilations ?? 1, a.pad as 'valid', a.dimRoundingMode as 'floor' | undefined, true,
  );
  const outShape = mode === 0 ? filterShape : xShape;
  // (a channel multiplier of 1 here: tfjs's depthwise geometry has outChannels == inChannels)
  const g = info.dilationHeight === 1 && info.dilationWidth === 1 ? nativeGeometry(info) : null;
  const native = g === null ? null : nativeKernels();
  if (native !== null && g !== null) {
    const done = mode === 0
      ? fillOnHeap(backend, outShape, [operands.x!, operands.dy], (dw, [x, dy]) => native.depthwiseConv2dBackpropFilter(x!, dy!, dw, g))
      : fillOnHeap(backend, outShape, [operands.dy, operands.filter!], (dx, [dy, f]) => native.depthwiseConv2dBackpropInput(dy!, f!, dx, g));
    if (done !== null) return done;
  }
  const out = (backend as unknown as { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo }).makeOutput(outShape, 'float32');
  const outView = (backend as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array }).typedArrayFromHeap(out);
  outView.fill(0);
  const at = (t: tf.TensorInfo): number => heapOffset(backend, t);
  const x = mode === 0 ? at(operands.x!) : at(out);
  const k = mode === 0 ? at(out) : at(operands.filter!);
  kernels.dw(
    mode, x, at(operands.dy), k,
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left,
  );
  return out;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

export function depthwiseBackpropFilter(original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (({ inputs, backend, attrs }: KernelArgs) => {
    const a = attrs as unknown as DepthwiseAttrs & { filterShape: number[] };
    const x = inputs['x']!;
    const done = run(backend, 0, x.shape, a.filterShape, a, { x, dy: inputs['dy']!, filter: null });
    return done ?? callKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm', backend, inputs, attrs, original);
  }) as tf.KernelFunc;
}

export function depthwiseBackpropInput(original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (({ inputs, backend, attrs }: KernelArgs) => {
    const a = attrs as unknown as DepthwiseAttrs & { inputShape: number[] };
    const filter = inputs['filter']!;
    const done = run(backend, 1, a.inputShape, filter.shape, a, { x: null, dy: inputs['dy']!, filter });
    return done ?? callKernel('DepthwiseConv2dNativeBackpropInput', 'wasm', backend, inputs, attrs, original);
  }) as tf.KernelFunc;
}
