// CpuKernels over the compiled addon: arguments are checked here (validate.ts) and again in C++,
// so a wrong size is a named Error, never an out-of-bounds access in the caller's wasm heap.
import { channelsFirstDirect, type Conv2dGeometry, type CpuKernels, type Pool2dGeometry } from './kernels.js';
import { checkBatchNorm, checkChannelAffine, checkChannelSums, checkConv, checkDepthwiseForward, checkFakeQuantSwap, checkMatmul, checkMomentumStep, checkPool, checkSwap, checkTranspose } from './validate.js';

/** What build/pq_kernels.node exports (native/addon.cc). */
export interface NativeBinding {
  /** __builtin_cpu_supports('avx2') && __builtin_cpu_supports('fma'). */
  cpuSupported(): boolean;
  /** The GEMM micro-kernel's instruction set: 'avx512f' or 'avx2+fma' (the same bits either way). */
  isa(): string;
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, threads: number): void;
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, geometry: Int32Array, threads: number): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: Int32Array, threads: number): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dFilter: Float32Array, geometry: Int32Array, threads: number): void;
  depthwiseConv2d(x: Float32Array, filter: Float32Array, y: Float32Array, geometry: Int32Array, threads: number): void;
  depthwiseConv2d(x: Float32Array, filter: Float32Array, y: Float32Array, geometry: Int32Array, threads: number): void;
  depthwiseConv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: Int32Array, threads: number): void;
  depthwiseConv2dBackpropFilter(x: Float32Array, dy: Float32Array, dFilter: Float32Array, geometry: Int32Array, threads: number): void;
  momentumStep(p: Float32Array, v: Float32Array, g: Float32Array, pOut: Float32Array, vOut: Float32Array, n: number, c: number, m: number, nesterov: boolean, threads: number): void;
  transpose(x: Float32Array | Int32Array, y: Float32Array | Int32Array, shape: Int32Array, perm: Int32Array, threads: number): void;
  maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, geometry: Int32Array, threads: number): void;
  avgPoolGrad(dy: Float32Array, dx: Float32Array, geometry: Int32Array, threads: number): void;
  channelSums(x: Float32Array, sums: Float32Array, outer: number, channels: number, inner: number, threads: number): void;
  channelAffine(x: Float32Array, scale: Float32Array, shift: Float32Array, y: Float32Array, outer: number, channels: number, inner: number, threads: number): void;
  batchNormTrain(x: Float32Array, weight: Float32Array, bias: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, shape: Int32Array, eps: number, threads: number): void;
  batchNormTrainGrad(
    dy: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, weight: Float32Array,
    dx: Float32Array, dWeight: Float32Array, dBias: Float32Array, shape: Int32Array, eps: number, threads: number,
  ): void;
  fakeQuantSwap(x: Float32Array, y: Float32Array, outer: number, middle: number, inner: number, scale: Float32Array, divisor: Float32Array, lo: number, hi: number, threads: number): void;
  straightThroughSwap(x: Float32Array, dy: Float32Array, outer: number, middle: number, inner: number, bound: Float32Array, dx: Float32Array, threads: number): void;
}

/** The geometry as the addon reads it: 14 int32 in Conv2dGeometry's declaration order (channelsFirst as 0 or 1). */
function packGeometry(g: Conv2dGeometry): Int32Array {
  return Int32Array.of(
    g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.outChannels,
    g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, g.channelsFirst === true ? 1 : 0,
  );
}

/** A pooling geometry as the addon reads it: 12 int32 in Pool2dGeometry's declaration order. */
function packPoolGeometry(g: Pool2dGeometry): Int32Array {
  return Int32Array.of(
    g.batch, g.inHeight, g.inWidth, g.channels, g.outHeight, g.outWidth,
    g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft,
  );
}

export function nativeKernels(binding: NativeBinding, threads: number): CpuKernels {
  return {
    name: `native ${binding.isa()}`,
    threads,
    matmul(a, b, c, batch, m, n, k, transA, transB) {
      checkMatmul(a, b, c, batch, m, n, k, transA, transB);
      binding.matmul(a, b, c, batch, m, n, k, transA, transB, threads);
    },
    conv2d(x, filter, y, g) {
      checkConv('conv2d', g, [['x', x, 'x'], ['filter', filter, 'filter'], ['y', y, 'y']]);
      binding.conv2d(x, filter, y, packGeometry(g), threads);
    },
    conv2dBackpropInput(dy, filter, dx, g) {
      checkConv('conv2dBackpropInput', g, [['dy', dy, 'y'], ['filter', filter, 'filter'], ['dx', dx, 'x']]);
      binding.conv2dBackpropInput(dy, filter, dx, packGeometry(g), threads);
    },
    conv2dBackpropFilter(x, dy, dFilter, g) {
      checkConv('conv2dBackpropFilter', g, [['x', x, 'x'], ['dy', dy, 'y'], ['dFilter', dFilter, 'filter']]);
      binding.conv2dBackpropFilter(x, dy, dFilter, packGeometry(g), threads);
    },
    depthwiseConv2d(x, filter, y, g) {
      checkDepthwiseForward(g);
      checkConv('depthwiseConv2d', g, [['x', x, 'x'], ['filter', filter, 'depthwiseFilter'], ['y', y, 'y']], true);
      binding.depthwiseConv2d(x, filter, y, packGeometry(g), threads);
    },
    depthwiseConv2dBackpropInput(dy, filter, dx, g) {
      checkConv('depthwiseConv2dBackpropInput', g, [['dy', dy, 'y'], ['filter', filter, 'depthwiseFilter'], ['dx', dx, 'x']], true);
      binding.depthwiseConv2dBackpropInput(dy, filter, dx, packGeometry(g), threads);
    },
    depthwiseConv2dBackpropFilter(x, dy, dFilter, g) {
      checkConv('depthwiseConv2dBackpropFilter', g, [['x', x, 'x'], ['dy', dy, 'y'], ['dFilter', dFilter, 'depthwiseFilter']], true);
      binding.depthwiseConv2dBackpropFilter(x, dy, dFilter, packGeometry(g), threads);
    },
    momentumStep(p, v, g, pOut, vOut, c, m, nesterov) {
      checkMomentumStep(p, v, g, pOut, vOut, c, m, nesterov);
      binding.momentumStep(p, v, g, pOut, vOut, p.length, c, m, nesterov, threads);
    },
    channelSums(x, sums, outer, channels, inner) {
      checkChannelSums(x, sums, outer, channels, inner);
      binding.channelSums(x, sums, outer, channels, inner, threads);
    },
    channelAffine(x, scale, shift, y, outer, channels, inner) {
      checkChannelAffine(x, scale, shift, y, outer, channels, inner);
      binding.channelAffine(x, scale, shift, y, outer, channels, inner, threads);
    },
    batchNormTrain(x, weight, bias, y, mean, variance, n, c, s, eps) {
      checkBatchNorm('batchNormTrain', n, c, s, eps, [['x', x], ['y', y]], [['weight', weight], ['bias', bias], ['mean', mean], ['variance', variance]]);
      binding.batchNormTrain(x, weight, bias, y, mean, variance, Int32Array.of(n, c, s), eps, threads);
    },
    batchNormTrainGrad(dy, x, mean, variance, weight, dx, dWeight, dBias, n, c, s, eps) {
      checkBatchNorm('batchNormTrainGrad', n, c, s, eps, [['dy', dy], ['x', x], ['dx', dx]], [['mean', mean], ['variance', variance], ['weight', weight], ['dWeight', dWeight], ['dBias', dBias]]);
      binding.batchNormTrainGrad(dy, x, mean, variance, weight, dx, dWeight, dBias, Int32Array.of(n, c, s), eps, threads);
    },
    fakeQuantSwap(x, y, outer, middle, inner, scale, divisor, lo, hi) {
      checkFakeQuantSwap(x, y, outer, middle, inner, scale, divisor, lo, hi);
      binding.fakeQuantSwap(x, y, outer, middle, inner, scale, divisor, lo, hi, threads);
    },
    straightThroughSwap(x, dy, dx, outer, middle, inner, bound) {
      checkSwap('straightThroughSwap', outer, middle, inner, [['x', x], ['dy', dy], ['dx', dx]], [['bound', bound]]);
      binding.straightThroughSwap(x, dy, outer, middle, inner, bound, dx, threads);
    },
    channelsFirstDirect,
    transpose(x, y, shape, perm) {
      checkTranspose(x, y, shape, perm);
      binding.transpose(x, y, Int32Array.from(shape), Int32Array.from(perm), threads);
    },
    maxPoolGrad(x, dy, dx, g) {
      checkPool('maxPoolGrad', g, x, dy, dx);
      binding.maxPoolGrad(x, dy, dx, packPoolGeometry(g), threads);
    },
    avgPoolGrad(dy, dx, g) {
      checkPool('avgPoolGrad', g, null, dy, dx);
      binding.avgPoolGrad(dy, dx, packPoolGeometry(g), threads);
    },
  };
}

/** Checks loadNativeKernels' `threads` option. */
export function checkThreads(threads: unknown): number {
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new Error(`loadNativeKernels: threads must be an integer from 1 to 256 (got ${String(threads)})`);
  }
  return threads;
}
