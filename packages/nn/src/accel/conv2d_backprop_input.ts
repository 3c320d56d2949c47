// Conv2DBackpropInput for stride 1 as one forward convolution on the backend's fast Conv2D:
// dx = conv2d(dy padded by k-1-pad, filter rotated 180 degrees with in/out channels swapped).
// Other strides (and paddings wider than the kernel) return null so the caller falls back to
// the backend's own kernel.
import type * as tf from '@tensorflow/tfjs-core';
import { callKernel, withScope } from './kernel_call.js';
import { conv2dGeometry } from './conv_geometry.js';
import { flippedSwappedFilter } from './transpose_simd.js';

export interface BackpropInputArgs {
  dy: tf.TensorInfo;
  filter: tf.TensorInfo;
  strides: number | [number, number];
  pad: unknown;
  dimRoundingMode?: unknown;
  inputShape: [number, number, number, number];
}

export function conv2dBackpropInputViaConv(backend: tf.KernelBackend, backendName: string, a: BackpropInputArgs): tf.TensorInfo | null {
  const g = conv2dGeometry(a.inputShape, a.filter.shape, a.strides, a.pad, a.dimRoundingMode);
  if (g.strideH !== 1 || g.strideW !== 1) return null;
  const { top, bottom, left, right } = g.info.padInfo;
  const before = [g.kh - 1 - top, g.kw - 1 - left];
  const after = [g.kh - 1 - bottom, g.kw - 1 - right];
  if ([...before, ...after].some((p) => p < 0)) return null;
  return withScope(backend, backendName, (s) => {
    let swapped = flippedSwappedFilter(backend, a.filter);
    if (swapped === null) swapped = s.run('Transpose', { x: s.run('Reverse', { x: a.filter }, { dims: [0, 1] }) }, { perm: [0, 1, 3, 2] });
    else s.adopt(swapped);
    // The convolution pads dy itself (no padded copy of dy).
    const pad = [[0, 0], [before[0], after[0]], [before[1], after[1]], [0, 0]];
    return callKernel('Conv2D', backendName, backend, { x: a.dy, filter: swapped }, {
      strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
    } as never);
  });
}
