// Conv2DBackpropInput as one forward convolution on the backend's fast Conv2D:
// dx = conv2d(dy padded by k-1-pad, filter rotated 180 degrees with in/out channels swapped).
// A stride s first puts s-1 zeros between dy's rows and columns: s² times the arithmetic of the
// exact product, but on XNNPACK instead of tfjs-wasm's plain loops, several times slower than
// that. Paddings wider than the kernel return null so the caller falls back to the backend's
// own kernel.
import type * as tf from '@tensorflow/tfjs-core';
import { callKernel, withScope } from './kernel_call.js';
import { conv2dGeometry } from './conv_geometry.js';
import { flippedSwappedFilter } from './transpose_simd.js';
import { allocOutput, readView } from './data_access.js';

export interface BackpropInputArgs {
  dy: tf.TensorInfo;
  filter: tf.TensorInfo;
  strides: number | [number, number];
  pad: unknown;
  dimRoundingMode?: unknown;
  inputShape: [number, number, number, number];
}

/** dy [N, OH, OW, C] with (stride - 1) zeros between its rows and between its columns. */
function zeroInserted(backend: tf.KernelBackend, dy: tf.TensorInfo, sh: number, sw: number): tf.TensorInfo {
  const [n, oh, ow, c] = dy.shape as [number, number, number, number];
  const [uh, uw] = [(oh - 1) * sh + 1, (ow - 1) * sw + 1];
  const out = allocOutput(backend, [n, uh, uw, c]);
  const dst = out.view();
  const src = readView(backend, dy, 'Conv2DBackpropInput'); // after the allocation: a wasm view dies when the heap grows
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const from = ((b * oh + i) * ow + j) * c;
        dst.set(src.subarray(from, from + c), ((b * uh + i * sh) * uw + j * sw) * c);
      }
    }
  }
  return out.finish();
}

export function conv2dBackpropInputViaConv(backend: tf.KernelBackend, backendName: string, a: BackpropInputArgs): tf.TensorInfo | null {
  const g = conv2dGeometry(a.inputShape, a.filter.shape, a.strides, a.pad, a.dimRoundingMode);
  const strided = g.strideH !== 1 || g.strideW !== 1;
  if (strided && a.dy.dtype !== 'float32') return null;
  const { top, left } = g.info.padInfo;
  const [, inH, inW] = a.inputShape;
  const [, outH, outW] = a.dy.shape as [number, number, number, number];
  // dy, zero-inserted for a stride, spans (OH - 1)·s + 1 rows; the flipped kernel's window over it,
  // padded by k - 1 - top before, must end at row H - 1 + top of the padded input.
  const before = [g.kh - 1 - top, g.kw - 1 - left];
  const after = [inH + top - (outH - 1) * g.strideH - 1, inW + left - (outW - 1) * g.strideW - 1];
  if ([...before, ...after].some((p) => p < 0)) return null;
  return withScope(backend, backendName, (s) => {
    let swapped = flippedSwappedFilter(backend, a.filter);
    if (swapped === null) swapped = s.run('Transpose', { x: s.run('Reverse', { x: a.filter }, { dims: [0, 1] }) }, { perm: [0, 1, 3, 2] });
    else s.adopt(swapped);
    const dy = strided ? s.adopt(zeroInserted(backend, a.dy, g.strideH, g.strideW)) : a.dy;
    // The convolution pads dy itself (no padded copy of dy).
    const pad = [[0, 0], [before[0], after[0]], [before[1], after[1]], [0, 0]];
    return callKernel('Conv2D', backendName, backend, { x: dy, filter: swapped }, {
      strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
    } as never);
  });
}
