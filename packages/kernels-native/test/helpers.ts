// Shared by the tests: seeded data, the shapes worth testing, and the error bound.
import { expect } from 'vitest';
import type { Conv2dGeometry, CpuKernels, Pool2dGeometry } from '../src/index.js';
import type { ExactResult } from '../src/reference.js';

/** Uniform floats in [-1, 1) from a seeded LCG; `buffer` lets a test put them in a SharedArrayBuffer. */
export function randomFloats(n: number, seed: number, buffer?: ArrayBufferLike): Float32Array {
  const out = buffer ? new Float32Array(buffer, 0, n) : new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** A geometry from the usual convolution arguments; out sizes as PyTorch computes them. */
export function convGeometry(
  [batch, inHeight, inWidth, inChannels]: readonly [number, number, number, number],
  [filterHeight, filterWidth, outChannels]: readonly [number, number, number],
  stride: readonly [number, number], pad: readonly [number, number, number, number], // top, bottom, left, right
): Conv2dGeometry {
  const [strideHeight, strideWidth] = stride;
  const [padTop, padBottom, padLeft, padRight] = pad;
  return {
    batch, inHeight, inWidth, inChannels, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft,
    outHeight: Math.floor((inHeight + padTop + padBottom - filterHeight) / strideHeight) + 1,
    outWidth: Math.floor((inWidth + padLeft + padRight - filterWidth) / strideWidth) + 1,
  };
}

/** A max pooling's geometry from the usual arguments; out sizes as PyTorch computes them. */
export function poolGeometry(
  [batch, inHeight, inWidth, channels]: readonly [number, number, number, number],
  [filterHeight, filterWidth]: readonly [number, number],
  [strideHeight, strideWidth]: readonly [number, number], pad: readonly [number, number, number, number], // top, bottom, left, right
): Pool2dGeometry {
  const [padTop, padBottom, padLeft, padRight] = pad;
  return {
    batch, inHeight, inWidth, channels, filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft,
    outHeight: Math.floor((inHeight + padTop + padBottom - filterHeight) / strideHeight) + 1,
    outWidth: Math.floor((inWidth + padLeft + padRight - filterWidth) / strideWidth) + 1,
  };
}

/**
 * x for a pooling: ties everywhere (a few levels only, +0 and -0 among them), NaN and -Infinity
 * scattered, and the first image's top-left 3x3 pixels only -Infinity and NaN, so that some
 * windows hold nothing else.
 */
export function poolInput(g: Pool2dGeometry, seed: number): Float32Array {
  const { batch, inHeight: h, inWidth: w, channels: c } = g;
  const x = randomFloats(batch * h * w * c, seed).map((v, i) => {
    if (i % 13 === 0) return Number.NaN;
    if (i % 11 === 0) return Number.NEGATIVE_INFINITY;
    if (i % 17 === 0) return -0;
    return Math.round(v * 2) / 2;
  });
  for (let r = 0; r < Math.min(3, h); r++) {
    for (let col = 0; col < Math.min(3, w); col++) {
      for (let d = 0; d < c; d++) x[(r * w + col) * c + d] = (r + col + d) % 2 === 0 ? Number.NEGATIVE_INFINITY : Number.NaN;
    }
  }
  return x;
}

/** Indices where a and b differ (the sign of zero counts; any NaN matches any NaN). */
export function mismatches(a: Float32Array, b: Float32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (!Object.is(a[i], b[i])) out.push(i);
  return out;
}

/** dx of maxPoolGrad on `k`, dx first filled with NaN (the kernel must overwrite every cell). */
export function poolGrad(k: CpuKernels, x: Float32Array, dy: Float32Array, g: Pool2dGeometry): Float32Array {
  const dx = new Float32Array(x.length).fill(Number.NaN);
  k.maxPoolGrad(x, dy, dx, g);
  return dx;
}

/** maxPoolGrad's rules, worked by hand: each case's x, dy and the dx they give. */
export function poolRuleCases(): Array<{ name: string; g: Pool2dGeometry; x: Float32Array; dy: Float32Array; want: Float32Array }> {
  // One 2x2 window per channel: its four values in order (0,0), (0,1), (1,0), (1,1), and the position that gets dy.
  const windows: Array<[number[], number]> = [
    [[1, 3, 3, 2], 1], [[3, 3, 3, 3], 0], [[NaN, 1, 2, 2], 2], [[NaN, NaN, NaN, NaN], -1], [[-Infinity, -Infinity, -Infinity, -Infinity], -1],
    [[-Infinity, NaN, -Infinity, NaN], -1], [[-0, 0, -0, 0], 0], [[-Infinity, -Infinity, -Infinity, -5], 3], [[Infinity, Infinity, NaN, 0], 0],
    [[-3, NaN, -1, -1], 2],
  ];
  const C = windows.length;
  const x = new Float32Array(4 * C), want = new Float32Array(4 * C);
  const dy = Float32Array.from(windows, (_, d) => (d === 1 ? -0 : d + 1)); // channel 1's -0 lands on +0: +0
  windows.forEach(([v, at], d) => {
    v.forEach((value, p) => (x[p * C + d] = value));
    if (at >= 0) want[at * C + d] = dy[d]! + 0;
  });
  return [
    { name: 'ties go to the first maximum, NaN never wins, -0 added to +0 is +0', g: poolGeometry([1, 2, 2, C], [2, 2], [2, 2], [0, 0, 0, 0]), x, dy, want },
    // 2x2 windows at stride 1 over a 3x3 input whose centre is the maximum: all four add there,
    // and only window order gives 1 in float32 ((1e8 + 1) - 1e8 + 1; reversed, 0).
    {
      name: 'overlapping windows add in window order', g: poolGeometry([1, 3, 3, 1], [2, 2], [1, 1], [0, 0, 0, 0]),
      x: Float32Array.of(0, 0, 0, 0, 1, 0, 0, 0, 0), dy: Float32Array.of(1e8, 1, -1e8, 1), want: Float32Array.of(0, 0, 0, 0, 1, 0, 0, 0, 0),
    },
  ];
}

export const POOL_CASES: ReadonlyArray<readonly [string, Pool2dGeometry]> = [
  ...[1, 7, 8, 10, 17].map((c) => [`2x2 stride 2, ${c} channels, an unreached last row and column`, poolGeometry([3, 9, 11, c], [2, 2], [2, 2], [0, 0, 0, 0])] as const),
  ...[1, 7, 8, 10, 17].map((c) => [`3x3 stride 2 pad 1 (overlapping, ResNet's stem pool), ${c} channels`, poolGeometry([2, 10, 9, c], [3, 3], [2, 2], [1, 1, 1, 1])] as const),
  ['3x3 stride 1 pad 1, 9 channels (every cell in up to nine windows)', poolGeometry([2, 6, 7, 9], [3, 3], [1, 1], [1, 1, 1, 1])],
  ['2x3 stride (1, 2), pad top 1 left 2, 12 channels', poolGeometry([2, 5, 8, 12], [2, 3], [1, 2], [1, 0, 2, 1])],
  ['2x2 stride 3 (gaps between windows), 5 channels', poolGeometry([2, 8, 8, 5], [2, 2], [3, 3], [0, 0, 0, 0])],
  ['5x4 window over a 3x3 input, pad 2 (windows partly or wholly outside), 16 channels', poolGeometry([2, 3, 3, 16], [5, 4], [1, 1], [2, 2, 2, 2])],
  ['1x1 stride 1, 3 channels (every x its own window)', poolGeometry([1, 4, 5, 3], [1, 1], [1, 1], [0, 0, 0, 0])],
];

/** Edge cases for the 6x16 micro-kernel, the packing strides and the cache blocks (k > 256). */
export const MATMUL_CASES: ReadonlyArray<readonly [batch: number, m: number, n: number, k: number]> = [
  [1, 1, 1, 1], [1, 7, 17, 5], [2, 13, 33, 300], [3, 6, 16, 16], [1, 50, 3, 70], [1, 5, 40, 1], [1, 0, 4, 3], [1, 4, 5, 0],
];

export const CONV_CASES: ReadonlyArray<readonly [string, Conv2dGeometry]> = [
  ['3x3 pad 1', convGeometry([2, 7, 6, 5], [3, 3, 17], [1, 1], [1, 1, 1, 1])],
  ['3x3 stride 2, asymmetric padding', convGeometry([1, 9, 8, 7], [3, 3, 6], [2, 2], [0, 1, 1, 0])],
  ['1x1 (a plain GEMM)', convGeometry([2, 5, 3, 19], [1, 1, 13], [1, 1], [0, 0, 0, 0])],
  ['1x1 stride 2', convGeometry([1, 6, 7, 8], [1, 1, 9], [2, 2], [0, 0, 0, 0])],
  ['7x7 stride 2 pad 3, 3 channels', convGeometry([1, 12, 11, 3], [7, 7, 10], [2, 2], [3, 3, 3, 3])],
  ['5x5 valid, 1 channel', convGeometry([3, 10, 10, 1], [5, 5, 6], [1, 1], [0, 0, 0, 0])],
  ['2x3 stride (1, 3), unreached trailing column', convGeometry([1, 5, 10, 4], [2, 3, 5], [1, 3], [0, 0, 0, 0])],
  ['3x3 pad 2, wider than the input', convGeometry([1, 2, 3, 33], [3, 3, 20], [1, 1], [2, 2, 2, 2])],
  // Rows of six output pixels inside the input for every tap: the forward pass reads x in place.
  ['3x3 valid, 8 channels (read in place)', convGeometry([2, 5, 14, 8], [3, 3, 7], [1, 1], [0, 0, 0, 0])],
  ['3x3 stride 2 valid, 40 channels (read in place)', convGeometry([1, 5, 27, 40], [3, 3, 18], [2, 2], [0, 0, 0, 0])],
];

const U = 2 ** -24; // float32's unit roundoff

/**
 * Expects each `actual` element within the error bound of a float32 sum of `terms` products.
 * Summing n products in float32 in any order, with or without FMA, and rounding the result to
 * float32, is off the exact sum by at most γ·Σ|a_i·b_i| with γ = (n+1)u/(1-(n+1)u) ≈ (n+1)u
 * (Higham, Accuracy and Stability of Numerical Algorithms, §3.1); (n+2)u covers the 1/(1-nu)
 * factor for every n here. The float64 reference's own error (n·2^-53·Σ) is far below that. The
 * tiny absolute term covers sums whose every product is zero or underflows.
 */
export function expectWithinBound(name: string, actual: Float32Array, exact: ExactResult): void {
  expect(actual.length, `${name}: length`).toBe(exact.value.length);
  const factor = (exact.terms + 2) * U;
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < actual.length; i++) {
    const ratio = Math.abs(actual[i]! - exact.value[i]!) / (factor * exact.absSum[i]! + 1e-30);
    if (!(ratio <= worst)) {
      worst = ratio;
      worstAt = i;
    }
  }
  expect(worst, `${name}: element ${worstAt} (${actual[worstAt]} vs exact ${exact.value[worstAt]}) is off by ${worst.toFixed(3)}x the bound`).toBeLessThanOrEqual(1);
}

/**
 * A depthwise gradient in float64 (the bound's Σ|a·b| too): 'input' from (dy, filter), 'filter'
 * from (x, dy); the reference's float32 sums must lie within the bound of it.
 */
export function depthwiseExact(a: Float32Array, b: Float32Array, g: Conv2dGeometry, which: 'input' | 'filter'): ExactResult {
  const c = g.inChannels;
  const n = which === 'input' ? g.batch * g.inHeight * g.inWidth * c : g.filterHeight * g.filterWidth * c;
  const value = new Float64Array(n), absSum = new Float64Array(n);
  for (let bi = 0; bi < g.batch; bi++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        for (let fy = 0; fy < g.filterHeight; fy++) {
          for (let fx = 0; fx < g.filterWidth; fx++) {
            const iy = oy * g.strideHeight - g.padTop + fy, ix = ox * g.strideWidth - g.padLeft + fx;
            if (iy < 0 || iy >= g.inHeight || ix < 0 || ix >= g.inWidth) continue;
            const xp = ((bi * g.inHeight + iy) * g.inWidth + ix) * c, yp = ((bi * g.outHeight + oy) * g.outWidth + ox) * c, tp = (fy * g.filterWidth + fx) * c;
            for (let ch = 0; ch < c; ch++) {
              const [at, prod] = which === 'input' ? [xp + ch, a[yp + ch]! * b[tp + ch]!] : [tp + ch, a[xp + ch]! * b[yp + ch]!];
              value[at]! += prod;
              absSum[at]! += Math.abs(prod);
            }
          }
        }
      }
    }
  }
  const taps = Math.ceil(g.filterHeight / g.strideHeight) * Math.ceil(g.filterWidth / g.strideWidth);
  return { value, absSum, terms: which === 'input' ? taps : g.batch * g.outHeight * g.outWidth };
}
