// Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter on pq's native kernels (native_provider.ts):
// each reads its inputs where the wasm backend keeps them and writes its output into a tensor that
// backend allocated, so a call copies nothing. Covered: NHWC and NCHW, dilation 1, any stride and
// padding (numeric, 'same', 'valid', explicit; the geometry is tfjs's own computeConv2DInfo).
// Everything else returns null, for the caller to take its existing kernel.
import type * as tf from '@tensorflow/tfjs-core';
import { sameShape } from '@pq/core';
import { conv2dGeometry } from './conv_geometry.js';
import { fillOnHeap } from './data_access.js';
import type { Conv2dGeometry } from '@pq/kernels-native';
import { nativeKernels } from './native_provider.js';

export interface NativeConvAttrs {
  strides: number | [number, number];
  pad: unknown;
  dimRoundingMode?: unknown;
  dataFormat?: unknown;
  dilations?: number | [number, number];
}

function unitDilation(d: NativeConvAttrs['dilations']): boolean {
  return d === undefined || (typeof d === 'number' ? d === 1 : d[0] === 1 && d[1] === 1);
}

/** tfjs's geometry as the native kernels take it (dilation 1 assumed), or null for an empty tensor. */
export function nativeGeometry(i: tf.backend_util.Conv2DInfo): Conv2dGeometry | null {
  const sizes = [i.batchSize, i.inHeight, i.inWidth, i.inChannels, i.outHeight, i.outWidth, i.outChannels];
  if (sizes.some((s) => s <= 0)) return null; // empty tensors: nothing to gain
  return {
    batch: i.batchSize, inHeight: i.inHeight, inWidth: i.inWidth, inChannels: i.inChannels,
    outHeight: i.outHeight, outWidth: i.outWidth, outChannels: i.outChannels,
    filterHeight: i.filterHeight, filterWidth: i.filterWidth, strideHeight: i.strideHeight, strideWidth: i.strideWidth,
    padTop: i.padInfo.top, padLeft: i.padInfo.left,
  };
}

/** The native geometry of a tfjs conv with attrs `a` (dilation 1, NHWC or NCHW), or null where the native kernels do not take it. */
export function convAttrsGeometry(xShape: readonly number[], filterShape: readonly number[], a: NativeConvAttrs): Conv2dGeometry | null {
  const channelsFirst = a.dataFormat === 'NCHW';
  if ((a.dataFormat !== undefined && a.dataFormat !== 'NHWC' && !channelsFirst) || !unitDilation(a.dilations)) return null;
  if (xShape.length !== 4 || filterShape.length !== 4) return null;
  const g = nativeGeometry(conv2dGeometry(xShape, filterShape, a.strides, a.pad, a.dimRoundingMode, channelsFirst ? 'channelsFirst' : 'channelsLast').info);
  return g !== null && channelsFirst ? { ...g, channelsFirst } : g;
}

const outShape = (g: Conv2dGeometry): number[] =>
  g.channelsFirst === true ? [g.batch, g.outChannels, g.outHeight, g.outWidth] : [g.batch, g.outHeight, g.outWidth, g.outChannels];

export function conv2dNative(backend: tf.KernelBackend, x: tf.TensorInfo, filter: tf.TensorInfo, a: NativeConvAttrs): tf.TensorInfo | null {
  const k = nativeKernels();
  const g = k === null ? null : convAttrsGeometry(x.shape, filter.shape, a);
  if (g === null) return null;
  return fillOnHeap(backend, outShape(g), [x, filter], (y, [xv, fv]) => k!.conv2d(xv!, fv!, y, g));
}

export function conv2dBackpropInputNative(
  backend: tf.KernelBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, inputShape: number[], a: NativeConvAttrs,
): tf.TensorInfo | null {
  const k = nativeKernels();
  const g = k === null ? null : convAttrsGeometry(inputShape, filter.shape, a);
  if (g === null || !sameShape(dy.shape, outShape(g))) return null;
  return fillOnHeap(backend, inputShape, [dy, filter], (dx, [dyv, fv]) => k!.conv2dBackpropInput(dyv!, fv!, dx, g));
}

export function conv2dBackpropFilterNative(
  backend: tf.KernelBackend, x: tf.TensorInfo, dy: tf.TensorInfo, filterShape: number[], a: NativeConvAttrs,
): tf.TensorInfo | null {
  const k = nativeKernels();
  const g = k === null ? null : convAttrsGeometry(x.shape, filterShape, a);
  if (g === null || !sameShape(dy.shape, outShape(g))) return null;
  return fillOnHeap(backend, filterShape, [x, dy], (dw, [xv, dyv]) => k!.conv2dBackpropFilter(xv!, dyv!, dw, g));
}
