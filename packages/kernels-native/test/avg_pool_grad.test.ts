// avgPoolGrad against the reference bit for bit on 1 and 3 threads, and the reference against the
// sum taken window by window (each window's cells, windows in row-major order: tfjs-wasm's order)
// of float32 products with the float32 reciprocal, with NaN and infinities among dy.
import { describe, expect, it } from 'vitest';
import { loadNativeKernels, referenceKernels, type Pool2dGeometry } from '../src/index.js';
import { POOL_CASES, mismatches, randomFloats } from './helpers.js';

const one = loadNativeKernels({ threads: 1 });
const three = loadNativeKernels({ threads: 3 });

function dyFor(g: Pool2dGeometry): Float32Array {
  return randomFloats(g.batch * g.outHeight * g.outWidth * g.channels, 91).map((v, i) => (i % 29 === 0 ? Infinity : i % 31 === 0 ? NaN : v * 1e4));
}

function byWindows(dy: Float32Array, g: Pool2dGeometry): Float32Array {
  const { inHeight: ih, inWidth: iw, outHeight: oh, outWidth: ow, channels: C } = g;
  const sums = new Float32Array(g.batch * ih * iw * C);
  const scale = Math.fround(1 / (g.filterHeight * g.filterWidth));
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let fy = 0; fy < g.filterHeight; fy++) {
          for (let fx = 0; fx < g.filterWidth; fx++) {
            const iy = oy * g.strideHeight - g.padTop + fy, ix = ox * g.strideWidth - g.padLeft + fx;
            if (iy < 0 || iy >= ih || ix < 0 || ix >= iw) continue;
            for (let c = 0; c < C; c++) sums[((b * ih + iy) * iw + ix) * C + c]! += Math.fround(dy[((b * oh + oy) * ow + ox) * C + c]! * scale);
          }
        }
      }
    }
  }
  return sums;
}

describe('avgPoolGrad', () => {
  it.each(POOL_CASES)('reference: the window-by-window float32 sums: %s', (_name, g) => {
    const dy = dyFor(g);
    const dx = new Float32Array(g.batch * g.inHeight * g.inWidth * g.channels).fill(7);
    referenceKernels.avgPoolGrad(dy, dx, g);
    expect(mismatches(dx, byWindows(dy, g))).toEqual([]);
  });

  it.runIf(one && three).each(POOL_CASES)('native: the reference bits on 1 and 3 threads: %s', (_name, g) => {
    const dy = dyFor(g);
    const want = new Float32Array(g.batch * g.inHeight * g.inWidth * g.channels);
    referenceKernels.avgPoolGrad(dy, want, g);
    for (const k of [one!, three!]) {
      const dx = new Float32Array(want.length).fill(7);
      k.avgPoolGrad(dy, dx, g);
      expect(mismatches(dx, want)).toEqual([]);
    }
  });

  it.runIf(one)('refuses a dx of the wrong size', () => {
    const g = POOL_CASES[0]![1];
    expect(() => one!.avgPoolGrad(new Float32Array(g.batch * g.outHeight * g.outWidth * g.channels), new Float32Array(3), g)).toThrow(/avgPoolGrad: dx has 3 elements/);
  });
});
