// Conv3DBackpropInputV2 / Conv3DBackpropFilterV2 (NDHWC, unit dilation) as direct JS loops,
// accumulated in float64 like tfjs's cpu kernels. tfjs's wasm versions of both give wrong
// results (the input gradient always, the filter gradient with strides), so pq uses these on
// wasm. 3-d convolutions are rare and small in pq's models; correctness is what matters here.
import { backend_util } from '@tensorflow/tfjs-core';
import type * as tf from '@tensorflow/tfjs-core';
import { allocOutput, readView } from './data_access.js';

type Shape5 = [number, number, number, number, number];

function info3d(xShape: readonly number[], filterShape: readonly number[], strides: unknown, pad: unknown): backend_util.Conv3DInfo {
  return backend_util.computeConv3DInfo(xShape as Shape5, filterShape as Shape5, strides as [number, number, number], 1, pad as 'valid');
}

/** Calls `body(xBase, dyBase, wBase)` for every (input cell, output cell, tap) the convolution links. */
function forEachTap(c: backend_util.Conv3DInfo, body: (xBase: number, dyBase: number, wBase: number) => void): void {
  const { batchSize, inDepth, inHeight, inWidth, inChannels: ci, outDepth, outHeight, outWidth, outChannels: co } = c;
  const { front, top, left } = c.padInfo;
  for (let n = 0; n < batchSize; n++) {
    for (let od = 0; od < outDepth; od++) {
      for (let oh = 0; oh < outHeight; oh++) {
        for (let ow = 0; ow < outWidth; ow++) {
          const dyBase = (((n * outDepth + od) * outHeight + oh) * outWidth + ow) * co;
          for (let kd = 0; kd < c.filterDepth; kd++) {
            const id = od * c.strideDepth + kd - front;
            if (id < 0 || id >= inDepth) continue;
            for (let kh = 0; kh < c.filterHeight; kh++) {
              const ih = oh * c.strideHeight + kh - top;
              if (ih < 0 || ih >= inHeight) continue;
              for (let kw = 0; kw < c.filterWidth; kw++) {
                const iw = ow * c.strideWidth + kw - left;
                if (iw < 0 || iw >= inWidth) continue;
                const xBase = (((n * inDepth + id) * inHeight + ih) * inWidth + iw) * ci;
                const wBase = ((kd * c.filterHeight + kh) * c.filterWidth + kw) * ci * co;
                body(xBase, dyBase, wBase);
              }
            }
          }
        }
      }
    }
  }
}

export function conv3dBackpropInputJs(backend: tf.KernelBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, inputShape: number[], strides: unknown, pad: unknown): tf.TensorInfo {
  const c = info3d(inputShape, filter.shape, strides, pad);
  const out = allocOutput(backend, inputShape.slice());
  const dx = out.view();
  const g = readView(backend, dy, 'Conv3DBackpropInputV2');
  const w = readView(backend, filter, 'Conv3DBackpropInputV2');
  const acc = new Float64Array(dx.length);
  const ci = c.inChannels;
  const co = c.outChannels;
  forEachTap(c, (xBase, dyBase, wBase) => {
    for (let i = 0; i < ci; i++) {
      let s = 0;
      for (let o = 0; o < co; o++) s += g[dyBase + o]! * w[wBase + i * co + o]!;
      acc[xBase + i] += s;
    }
  });
  dx.set(acc);
  return out.finish();
}

export function conv3dBackpropFilterJs(backend: tf.KernelBackend, x: tf.TensorInfo, dy: tf.TensorInfo, filterShape: number[], strides: unknown, pad: unknown): tf.TensorInfo {
  const c = info3d(x.shape, filterShape, strides, pad);
  const out = allocOutput(backend, filterShape.slice());
  const dw = out.view();
  const xv = readView(backend, x, 'Conv3DBackpropFilterV2');
  const g = readView(backend, dy, 'Conv3DBackpropFilterV2');
  const acc = new Float64Array(dw.length);
  const ci = c.inChannels;
  const co = c.outChannels;
  forEachTap(c, (xBase, dyBase, wBase) => {
    for (let i = 0; i < ci; i++) {
      const xi = xv[xBase + i]!;
      const row = wBase + i * co;
      for (let o = 0; o < co; o++) acc[row + o] += xi * g[dyBase + o]!;
    }
  });
  dw.set(acc);
  return out.finish();
}
