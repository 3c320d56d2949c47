// Conv2DBackpropFilter as one forward convolution, so it runs on the backend's fast Conv2D
// (XNNPACK on wasm, which has no filter-gradient kernel at all):
//   dW[kh,kw,ci,co] = sum_{n,oh,ow} xpad[n, oh*s+kh, ow*s+kw, ci] * dy[n,oh,ow,co]
// is a convolution whose "batch" is ci, whose "channels" are n, whose filter is dy laid out
// [OH, OW, N, Co] and whose dilation is the original stride:
//   conv2d(x^T [Ci,H,W,N] padded as x, dy^T [OH,OW,N,Co], stride 1, dilation s) -> [Ci,kh',kw',Co],
// sliced to kh x kw (when (Hp - kh) is not a multiple of s) and transposed to [kh,kw,Ci,Co], on
// wasm both in one strided copy by pq's kernel.
import type * as tf from '@tensorflow/tfjs-core';
import { callKernel, withScope } from './kernel_call.js';
import { conv2dGeometry } from './conv_geometry.js';
import { conv2dBackpropFilterGemm } from './conv2d_filter_gemm.js';
import { copyStrided } from './strided_copy.js';
import { heapOffset, wasmKernels } from './wasm_kernels.js';

export interface BackpropFilterArgs {
  x: tf.TensorInfo;
  dy: tf.TensorInfo;
  strides: number | [number, number];
  pad: unknown;
  dimRoundingMode?: unknown;
  filterShape: [number, number, number, number];
}

const GEMM_MAX_CHANNELS = 8;

export function conv2dBackpropFilterViaConv(backend: tf.KernelBackend, backendName: string, a: BackpropFilterArgs): tf.TensorInfo {
  // Few input channels (an RGB stem) make the convolution below a batch of 3 tiny images, slow on
  // XNNPACK; the matrix product is ~3x faster there (and no faster with many channels).
  const viaGemm = backendName === 'wasm' && a.x.shape[3]! <= GEMM_MAX_CHANNELS ? conv2dBackpropFilterGemm(backend, a) : null;
  if (viaGemm !== null) return viaGemm;
  const g = conv2dGeometry(a.x.shape, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
  const { top, bottom, left, right } = g.info.padInfo;
  const [, outH, outW] = a.dy.shape;
  return withScope(backend, backendName, (s) => {
    // The convolution pads x^T itself (no padded copy of x).
    const pad = [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]];
    const xT = s.run('Transpose', { x: a.x }, { perm: [3, 1, 2, 0] });
    const dyT = s.run('Transpose', { x: a.dy }, { perm: [1, 2, 0, 3] });
    let r = s.run('Conv2D', { x: xT, filter: dyT }, {
      strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [g.strideH, g.strideW], dimRoundingMode: undefined,
    } as never);
    const [, rh, rw] = r.shape;
    if (rh < g.kh || rw < g.kw || outH === undefined || outW === undefined) {
      throw new Error(`Conv2DBackpropFilter: internal shape ${r.shape} smaller than the filter ${a.filterShape}`);
    }
    const cut = filterLayout(backend, r, g.kh, g.kw);
    if (cut !== null) return cut;
    if (rh !== g.kh || rw !== g.kw) {
      r = s.run('Slice', { x: r }, { begin: [0, 0, 0, 0], size: [r.shape[0]!, g.kh, g.kw, r.shape[3]!] });
    }
    return callKernel('Transpose', backendName, backend, { x: r }, { perm: [1, 2, 0, 3] });
  });
}

/** r [Ci, rh, rw, Co]'s first kh x kw taps as [kh, kw, Ci, Co], one pass by pq's kernel; null off wasm. */
function filterLayout(backend: tf.KernelBackend, r: tf.TensorInfo, kh: number, kw: number): tf.TensorInfo | null {
  const kernels = r.dtype === 'float32' ? wasmKernels(backend) : null;
  if (kernels === null) return null;
  const [ci, rh, rw, co] = r.shape as [number, number, number, number];
  const out = (backend as unknown as { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo }).makeOutput([kh, kw, ci, co], 'float32');
  const strides = [rw * co, co, rh * rw * co, 1].map((e) => 4 * e);
  copyStrided(kernels, 'permute', heapOffset(backend, out), heapOffset(backend, r), [kh, kw, ci, co], strides);
  return out;
}
