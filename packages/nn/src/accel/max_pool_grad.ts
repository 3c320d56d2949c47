// MaxPoolGrad (NHWC) in one pass without per-element allocation: for every output position
// find the first maximum of its window (tfjs's rule: strict >, scanning rows then columns) and
// add dy there. tfjs's wasm kernel for this is several times slower than this loop.
import { backend_util } from '@tensorflow/tfjs-core';
import type * as tf from '@tensorflow/tfjs-core';
import { allocOutput, readView } from './data_access.js';

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
  const rowStride = inWidth * C;
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
