// MaxPoolGrad (NHWC) in one pass without per-element allocation: for every output position
// find the first maximum of its window (tfjs's rule: strict >, scanning rows then columns) and
// add dy there. On the wasm backend pq's SIMD kernel (kernels.wat `max_pool_grad`) runs this
// loop four channels at a time, each cell summing in the same order, so the bits are the JS
// loop's; tfjs's wasm kernel for this is several times slower than even the JS loop. Where pq's
// native kernels run (Node), enable.ts takes native_pool.ts first: the same bits again, faster.
import { backend_util } from '@tensorflow/tfjs-core';
import type * as tf from '@tensorflow/tfjs-core';
import { allocOutput, readView } from './data_access.js';
import { heapOffset, wasmKernels } from './wasm_kernels.js';

export interface MaxPoolGradArgs {
  dy: tf.TensorInfo;
  input: tf.TensorInfo;
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: unknown;
  dimRoundingMode?: unknown;
}

export function maxPoolGradJs(backend: tf.KernelBackend, a: MaxPoolGradArgs): tf.TensorInfo {
  const info = backend_util.computePool2DInfo(
    a.input.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad as 'valid',
    a.dimRoundingMode as 'floor' | undefined,
  );
  const out = allocOutput(backend, a.input.shape.slice());
  const dx = out.view();
  const x = readView(backend, a.input, 'MaxPoolGrad');
  const dy = readView(backend, a.dy, 'MaxPoolGrad');
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const simd = wasmKernels(backend);
  if (simd !== null) {
    const dxInfo = out.finish();
    simd.max_pool_grad(
      heapOffset(backend, a.input), heapOffset(backend, a.dy), heapOffset(backend, dxInfo), batchSize, inHeight, inWidth, C,
      outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, top, left,
    );
    return dxInfo;
  }
  const rowStride = inWidth * C;
  if (filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2 && top === 0 && left === 0 && outHeight * 2 <= inHeight && outWidth * 2 <= inWidth) {
    maxPool2x2Grad(x, dy, dx, batchSize, inHeight * rowStride, rowStride, outHeight, outWidth, C);
    return out.finish();
  }
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const base = b * inHeight * rowStride;
    for (let yr = 0; yr < outHeight; yr++) {
      const r0 = yr * strideHeight - top;
      const rMin = Math.max(r0, 0);
      const rMax = Math.min(r0 + filterHeight, inHeight);
      for (let yc = 0; yc < outWidth; yc++) {
        const c0 = yc * strideWidth - left;
        const cMin = Math.max(c0, 0);
        const cMax = Math.min(c0 + filterWidth, inWidth);
        for (let d = 0; d < C; d++, o++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let r = rMin; r < rMax; r++) {
            let i = base + r * rowStride + cMin * C + d;
            for (let c = cMin; c < cMax; c++, i += C) {
              const v = x[i]!;
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += dy[o]!;
        }
      }
    }
  }
  return out.finish();
}

/** The 2x2, stride 2, unpadded case (LeNet's): windows never overlap (dx += dy onto zeros, as the general loop: -0 becomes +0). */
function maxPool2x2Grad(x: Float32Array, dy: Float32Array, dx: Float32Array, batch: number, imageStride: number, rowStride: number, outH: number, outW: number, C: number): void {
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let yr = 0; yr < outH; yr++) {
      const row = b * imageStride + 2 * yr * rowStride;
      for (let yc = 0; yc < outW; yc++) {
        const i00 = row + 2 * yc * C;
        for (let d = 0; d < C; d++, o++) {
          const a = i00 + d;
          let at = -1;
          let best = Number.NEGATIVE_INFINITY; // as the general loop: NaN and -Inf never win
          if (x[a]! > best) {
            best = x[a]!;
            at = a;
          }
          if (x[a + C]! > best) {
            best = x[a + C]!;
            at = a + C;
          }
          if (x[a + rowStride]! > best) {
            best = x[a + rowStride]!;
            at = a + rowStride;
          }
          if (x[a + rowStride + C]! > best) at = a + rowStride + C;
          if (at >= 0) dx[at] += dy[o]!;
        }
      }
    }
  }
}
