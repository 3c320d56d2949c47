// MaxPoolGrad and AvgPoolGrad on pq's native kernels (native_provider.ts), next to the
// convolutions in native_conv.ts: x and dy are read where the wasm backend keeps them and dx is
// written into a tensor that backend allocated (uninitialised: the kernel overwrites it whole,
// zeros included). MaxPoolGrad's bits are those of the wasm kernel and the JS loop in
// max_pool_grad.ts (the same first maximum per window, the same float32 adds in the same order);
// AvgPoolGrad's are tfjs-wasm's (the same float32 products and sums in the same order, ~15x
// faster: its kernel walks the windows element by element). Anything they do not cover (another backend, no native
// kernels, empty tensors) returns null, for the caller to take its existing kernel.
import { backend_util } from '@tensorflow/tfjs-core';
import type * as tf from '@tensorflow/tfjs-core';
import { sameShape } from '@pq/core';
import type { Pool2dGeometry } from '@pq/kernels-native';
import { fillOnHeap } from './data_access.js';
import type { MaxPoolGradArgs } from './max_pool_grad.js';
import { nativeKernels } from './native_provider.js';

/** tfjs's own pooling geometry for `a`, as the native kernel reads it; null for empty tensors. */
function poolGeometry(a: Omit<MaxPoolGradArgs, 'dy'>): Pool2dGeometry | null {
  if (a.input.shape.length !== 4) return null;
  const i = backend_util.computePool2DInfo(
    a.input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad as 'valid', a.dimRoundingMode as 'floor' | undefined,
  );
  const sizes = [i.batchSize, i.inHeight, i.inWidth, i.inChannels, i.outHeight, i.outWidth];
  if (sizes.some((s) => s <= 0)) return null; // empty tensors: nothing to gain
  return {
    batch: i.batchSize, inHeight: i.inHeight, inWidth: i.inWidth, channels: i.inChannels, outHeight: i.outHeight, outWidth: i.outWidth,
    filterHeight: i.filterHeight, filterWidth: i.filterWidth, strideHeight: i.strideHeight, strideWidth: i.strideWidth,
    padTop: i.padInfo.top, padLeft: i.padInfo.left,
  };
}

export function maxPoolGradNative(backend: tf.KernelBackend, a: MaxPoolGradArgs): tf.TensorInfo | null {
  const k = nativeKernels();
  const g = k === null ? null : poolGeometry(a);
  if (g === null || !sameShape(a.dy.shape, [g.batch, g.outHeight, g.outWidth, g.channels])) return null;
  return fillOnHeap(backend, a.input.shape.slice(), [a.input, a.dy], (dx, [xv, dyv]) => k!.maxPoolGrad(xv!, dyv!, dx, g));
}

export function avgPoolGradNative(backend: tf.KernelBackend, a: MaxPoolGradArgs): tf.TensorInfo | null {
  const k = nativeKernels();
  const g = k === null ? null : poolGeometry(a);
  if (g === null || !sameShape(a.dy.shape, [g.batch, g.outHeight, g.outWidth, g.channels])) return null;
  return fillOnHeap(backend, a.input.shape.slice(), [a.dy], (dx, [dyv]) => k!.avgPoolGrad(dyv!, dx, g));
}
