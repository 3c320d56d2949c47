// MaxPool (NHWC) in JS, used on wasm where tfjs's XNNPACK kernel corrupts the wasm heap when a
// stride exceeds the window (e.g. window 1x1, stride 2: "memory access out of bounds" later).
// Same rule as tfjs: padding cells are ignored, the maximum of the window's real cells wins.
import { backend_util } from '@tensorflow/tfjs-core';
import type * as tf from '@tensorflow/tfjs-core';
import { allocOutput, readView } from './data_access.js';

export interface MaxPoolArgs {
  x: tf.TensorInfo;
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: unknown;
  dimRoundingMode?: unknown;
}

export function poolInfo(a: MaxPoolArgs): backend_util.Conv2DInfo {
  return backend_util.computePool2DInfo(
    a.x.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad as 'valid',
    a.dimRoundingMode as 'floor' | undefined,
  );
}

export function maxPoolJs(backend: tf.KernelBackend, a: MaxPoolArgs): tf.TensorInfo {
  const info = poolInfo(a);
  const out = allocOutput(backend, info.outShape.slice());
  const y = out.view();
  const x = readView(backend, a.x, 'MaxPool');
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const rowStride = inWidth * C;
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const base = b * inHeight * rowStride;
    for (let yr = 0; yr < outHeight; yr++) {
      const r0 = yr * strideHeight - top;
      const rMin = Math.max(r0, 0);
      const rMax = Math.min(r0 + info.filterHeight, inHeight);
      for (let yc = 0; yc < outWidth; yc++) {
        const c0 = yc * strideWidth - left;
        const cMin = Math.max(c0, 0);
        const cMax = Math.min(c0 + info.filterWidth, inWidth);
        for (let d = 0; d < C; d++, o++) {
          let best = Number.NEGATIVE_INFINITY;
          for (let r = rMin; r < rMax; r++) {
            let i = base + r * rowStride + cMin * C + d;
            for (let c = cMin; c < cMax; c++, i += C) if (x[i]! > best) best = x[i]!;
          }
          y[o] = best;
        }
      }
    }
  }
  return out.finish();
}
