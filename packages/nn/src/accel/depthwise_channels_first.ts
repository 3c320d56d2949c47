// A depthwise convolution (channel multiplier 1) on NCHW activations, forward and gradients on
// the native kernels' channels-first depthwise kernels: tfjs's DepthwiseConv2dNative takes NHWC
// only (its gradient assumes it), so pq's layers would otherwise transpose the activation, the
// output and both gradients. Its own op, registered on wasm while pq's kernels are installed and
// used only where `depthwiseRunsChannelsFirst` says the native kernels run.
import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2dGeometry } from '@pq/kernels-native';
import { nativeGeometry } from './native_conv.js';
import { onNative } from './native_op.js';

/** inputs `{ x, filter }`: x NCHW, filter [kh, kw, C]; attrs `strides`, `pad` (tfjs's NCHW explicit padding). */
export const PqDepthwiseChannelsFirst = 'PqDepthwiseChannelsFirst';
/** Its input gradient: inputs `{ dy, filter }`, attrs and `inputShape`. */
export const PqDepthwiseChannelsFirstGradInput = 'PqDepthwiseChannelsFirstGradInput';
/** Its filter gradient: inputs `{ x, dy }`, attrs and `filterShape`. */
export const PqDepthwiseChannelsFirstGradFilter = 'PqDepthwiseChannelsFirstGradFilter';

type Padding = [[0, 0], [0, 0], [number, number], [number, number]];
interface Attrs {
  strides: [number, number];
  pad: Padding;
}

/** The op: y [N, C, oh, ow] of NCHW x and filter [kh, kw, C]. */
export function depthwiseConv2dChannelsFirst(x: tf.Tensor4D, filter: tf.Tensor3D, strides: [number, number], pad: Padding): tf.Tensor4D {
  const attrs: Attrs = { strides, pad };
  return tf.engine().runKernel(PqDepthwiseChannelsFirst, { x, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

function geometry(xShape: readonly number[], filterShape: readonly number[], a: Attrs): Conv2dGeometry {
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], [filterShape[0]!, filterShape[1]!, filterShape[2]!, 1],
    a.strides, 1, a.pad as never, undefined, true, 'channelsFirst',
  );
  const g = nativeGeometry(info);
  if (g === null) throw new Error(`${PqDepthwiseChannelsFirst}: empty input ${JSON.stringify(xShape)}`);
  return { ...g, channelsFirst: true };
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

function forward({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const g = geometry(x.shape, filter.shape, attrs as unknown as Attrs);
  return onNative(PqDepthwiseChannelsFirst, backend, [g.batch, g.outChannels, g.outHeight, g.outWidth], [x, filter], (k, y, [xv, fv]) => k.depthwiseConv2d(xv!, fv!, y, g));
}

function gradInput({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const a = attrs as unknown as Attrs & { inputShape: number[] };
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const g = geometry(a.inputShape, filter.shape, a);
  return onNative(PqDepthwiseChannelsFirstGradInput, backend, a.inputShape, [dy, filter], (k, dx, [dyv, fv]) => k.depthwiseConv2dBackpropInput(dyv!, fv!, dx, g));
}

function gradFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const a = attrs as unknown as Attrs & { filterShape: number[] };
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const g = geometry(x.shape, a.filterShape, a);
  return onNative(PqDepthwiseChannelsFirstGradFilter, backend, a.filterShape, [x, dy], (k, dw, [xv, dyv]) => k.depthwiseConv2dBackpropFilter(xv!, dyv!, dw, g));
}

/** The three kernels for the wasm backend, by name. */
export const depthwiseChannelsFirstKernels: ReadonlyArray<[string, tf.KernelFunc]> = [
  [PqDepthwiseChannelsFirst, forward as tf.KernelFunc],
  [PqDepthwiseChannelsFirstGradInput, gradInput as tf.KernelFunc],
  [PqDepthwiseChannelsFirstGradFilter, gradFilter as tf.KernelFunc],
];

export const depthwiseChannelsFirstGradConfig: tf.GradConfig = {
  kernelName: PqDepthwiseChannelsFirst,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor, tf.Tensor];
    const d = dy as tf.Tensor;
    return {
      x: () => tf.engine().runKernel(PqDepthwiseChannelsFirstGradInput, { dy: d, filter }, { ...attrs, inputShape: x.shape }) as tf.Tensor,
      filter: () => tf.engine().runKernel(PqDepthwiseChannelsFirstGradFilter, { x, dy: d }, { ...attrs, filterShape: filter.shape }) as tf.Tensor,
    };
  },
};
