// The native kernels against the float64 reference, within the derived bound (helpers.ts), on
// shapes at the edges of the 6x16 micro-tile, the packing and the cache blocks; the same bits
// for 1 and 3 threads; inputs in a SharedArrayBuffer (tfjs's threaded wasm heap is one); and
// refused arguments. maxPoolGrad, which only adds, equals the reference bit for bit. Where the
// addon is not built (no compiler), availability.test.ts checks why.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadNativeKernels, type Conv2dGeometry, type CpuKernels, type Pool2dGeometry } from '../src/index.js';
import type { NativeBinding } from '../src/native.js';
import { conv2dBackpropFilterExact, conv2dBackpropInputExact, conv2dExact, matmulExact, referenceKernels, transposeInto } from '../src/reference.js';
import {
  CONV_CASES, MATMUL_CASES, POOL_CASES, convGeometry, depthwiseExact, expectWithinBound, mismatches, poolGeometry, poolGrad, poolInput, poolRuleCases,
  randomFloats,
} from './helpers.js';

const one = loadNativeKernels({ threads: 1 });
const three = loadNativeKernels({ threads: 3 });
const native = one && three ? { one, three } : null;

const sizes = (g: Conv2dGeometry) => ({
  x: g.batch * g.inHeight * g.inWidth * g.inChannels,
  y: g.batch * g.outHeight * g.outWidth * g.outChannels,
  w: g.filterHeight * g.filterWidth * g.inChannels * g.outChannels,
});

/** Runs the three conv kernels; the inputs come from `alloc` (plain or shared memory). */
function convAll(k: CpuKernels, g: Conv2dGeometry, alloc: (n: number, seed: number) => Float32Array) {
  const s = sizes(g);
  const x = alloc(s.x, 11), w = alloc(s.w, 12), dy = alloc(s.y, 13);
  const y = new Float32Array(s.y), dx = new Float32Array(s.x), dw = new Float32Array(s.w);
  k.conv2d(x, w, y, g);
  k.conv2dBackpropInput(dy, w, dx, g);
  k.conv2dBackpropFilter(x, dy, dw, g);
  return { x, w, dy, y, dx, dw };
}

const plain = (n: number, seed: number) => randomFloats(n, seed);
// A view at an offset into a SharedArrayBuffer, as the integrator's subarray of the wasm heap is.
const shared = (n: number, seed: number) => randomFloats(n, seed, new SharedArrayBuffer(4 * n + 64)).subarray(0, n);
const sharedOffset = (n: number, seed: number) => {
  const heap = new Float32Array(new SharedArrayBuffer(4 * (n + 5)));
  heap.subarray(5).set(randomFloats(n, seed));
  return heap.subarray(5);
};

describe.runIf(native)('native kernels', () => {
  const { one: k1, three: k3 } = native!;

  it.each(MATMUL_CASES)('matmul batch %i, %i x %i, k %i, every transposition, within the bound and thread-independent', (batch, m, n, k) => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const a = randomFloats(batch * m * k, 1), b = randomFloats(batch * k * n, 2);
      const c1 = new Float32Array(batch * m * n).fill(NaN), c3 = new Float32Array(batch * m * n).fill(NaN);
      k1.matmul(a, b, c1, batch, m, n, k, ta, tb);
      k3.matmul(a, b, c3, batch, m, n, k, ta, tb);
      expectWithinBound(`transA ${ta} transB ${tb}`, c1, matmulExact(a, b, batch, m, n, k, ta, tb));
      expect(c3).toEqual(c1);
    }
  });

  it('matmul: a product large enough to split across threads and cache blocks is bit-identical for 1 and 3 threads', () => {
    const [m, n, k] = [130, 3100, 260]; // two NC blocks of columns, two KC blocks of reduction, a ragged MC block
    const a = randomFloats(m * k, 3), b = randomFloats(k * n, 4);
    const c1 = new Float32Array(m * n), c3 = new Float32Array(m * n);
    k1.matmul(a, b, c1, 1, m, n, k, false, true);
    k3.matmul(a, b, c3, 1, m, n, k, false, true);
    expect(c3).toEqual(c1);
    const rows = 7; // the reference on a few rows only (it is slow)
    const exact = matmulExact(a.subarray(0, rows * k), b, 1, rows, n, k, false, true);
    expectWithinBound('first rows', c1.subarray(0, rows * n), exact);
  });

  it('computes C and Cᵀ with the same bits (a product and its transpose may be tiled either way round)', () => {
    const [m, n, k] = [40, 5, 33];
    const a = randomFloats(m * k, 5), b = randomFloats(k * n, 6);
    const c = new Float32Array(m * n), ct = new Float32Array(n * m);
    k1.matmul(a, b, c, 1, m, n, k, false, false);
    k3.matmul(b, a, ct, 1, n, m, k, true, true); // Cᵀ = Bᵀ·Aᵀ
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(ct[j * m + i]).toBe(c[i * n + j]);
  });

  it.each(CONV_CASES)('conv2d and both gradients within the bound and thread-independent: %s', (_name, g) => {
    const r1 = convAll(k1, g, plain);
    const r3 = convAll(k3, g, plain);
    expectWithinBound('y', r1.y, conv2dExact(r1.x, r1.w, g));
    expectWithinBound('dx', r1.dx, conv2dBackpropInputExact(r1.dy, r1.w, g));
    expectWithinBound('dFilter', r1.dw, conv2dBackpropFilterExact(r1.x, r1.dy, g));
    expect([r3.y, r3.dx, r3.dw]).toEqual([r1.y, r1.dx, r1.dw]);
  });

  it.each([
    ['3x3 pad 1, 8 channels', [2, 9, 14, 8], [3, 3, 7], [1, 1], 1],
    ['5x5 pad 2, 1 channel', [3, 10, 13, 1], [5, 5, 10], [1, 1], 2],
    ['3x3 stride 2 pad 1, 40 channels (two reduction blocks)', [1, 11, 15, 40], [3, 3, 20], [2, 2], 1],
  ] as const)('computes a padded convolution with the bits of the unpadded one on the zero-padded input (border panels packed, interior read in place): %s', (_name, xs, ws, stride, pad) => {
    const g = convGeometry(xs, ws, stride, [pad, pad, pad, pad]);
    const [batch, h, w, c] = xs;
    const gp = convGeometry([batch, h + 2 * pad, w + 2 * pad, c], ws, stride, [0, 0, 0, 0]);
    expect([gp.outHeight, gp.outWidth]).toEqual([g.outHeight, g.outWidth]);
    const s = sizes(g);
    const x = randomFloats(s.x, 21), filter = randomFloats(s.w, 22), dy = randomFloats(s.y, 23);
    const xp = new Float32Array(sizes(gp).x);
    const padded = (b: number, y: number, xx: number) => ((b * (h + 2 * pad) + y + pad) * (w + 2 * pad) + xx + pad) * c;
    for (let b = 0; b < batch; b++) {
      for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) xp.set(x.subarray(((b * h + y) * w + xx) * c, ((b * h + y) * w + xx + 1) * c), padded(b, y, xx));
    }
    const run = (geometry: Conv2dGeometry, input: Float32Array) => {
      const y = new Float32Array(s.y), dx = new Float32Array(input.length), dw = new Float32Array(s.w);
      k1.conv2d(input, filter, y, geometry);
      k1.conv2dBackpropInput(dy, filter, dx, geometry);
      k1.conv2dBackpropFilter(input, dy, dw, geometry);
      return { y, dx, dw };
    };
    const direct = run(g, x), viaPadding = run(gp, xp);
    expect(direct.y).toEqual(viaPadding.y);
    expect(direct.dw).toEqual(viaPadding.dw);
    const cropped = new Float32Array(s.x);
    for (let b = 0; b < batch; b++) {
      for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) cropped.set(viaPadding.dx.subarray(padded(b, y, xx), padded(b, y, xx) + c), ((b * h + y) * w + xx) * c);
    }
    expect(direct.dx).toEqual(cropped);
  });

  it.each([
    ['3x3 pad 1, 96 channels (MobileNet)', convGeometry([2, 8, 8, 96], [3, 3, 96], [1, 1], [1, 1, 1, 1])],
    ['3x3 stride 2 pad 1, 21 channels (a vector and a tail)', convGeometry([3, 9, 7, 21], [3, 3, 21], [2, 2], [1, 1, 1, 1])],
    ['5x5 valid, 3 channels', convGeometry([1, 9, 11, 3], [5, 5, 3], [1, 1], [0, 0, 0, 0])],
    ['3x3 stride 2 pad 2, wider than the input, 144 channels', convGeometry([1, 2, 3, 144], [3, 3, 144], [2, 2], [2, 2, 2, 2])],
  ] as const)('depthwise gradients: the reference\'s float32 sums bit for bit, on 1 and 3 threads: %s', (_name, g) => {
    const s = { x: sizes(g).x, y: sizes(g).y, w: g.filterHeight * g.filterWidth * g.inChannels };
    const x = randomFloats(s.x, 31), w = randomFloats(s.w, 32), dy = randomFloats(s.y, 33);
    const results = [referenceKernels, k1, k3].map((k) => {
      const dx = new Float32Array(s.x).fill(NaN), dw = new Float32Array(s.w).fill(NaN);
      k.depthwiseConv2dBackpropInput(dy, w, dx, g);
      k.depthwiseConv2dBackpropFilter(x, dy, dw, g);
      return { dx, dw };
    });
    expectWithinBound('dx', results[0]!.dx, depthwiseExact(dy, w, g, 'input'));
    expectWithinBound('dFilter', results[0]!.dw, depthwiseExact(x, dy, g, 'filter'));
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('refuses a depthwise geometry with different channel counts and a wrong filter size, writing nothing', () => {
    const g = convGeometry([1, 4, 4, 8], [3, 3, 8], [1, 1], [1, 1, 1, 1]);
    const dx = new Float32Array(128).fill(7);
    expect(() => k1.depthwiseConv2dBackpropInput(new Float32Array(128), new Float32Array(72), dx, { ...g, outChannels: 9 }))
      .toThrow('depthwiseConv2dBackpropInput: a depthwise geometry needs inChannels == outChannels (got 8 and 9)');
    expect(() => k1.depthwiseConv2dBackpropInput(new Float32Array(128), new Float32Array(71), dx, g))
      .toThrow('depthwiseConv2dBackpropInput: filter has 71 elements, expected 72 (HWC 3x3x8)');
    expect(dx.every((v) => v === 7)).toBe(true);
  });

  it.each([[false, 70_001], [true, 70_001], [false, 13]] as const)('momentumStep (nesterov %s, %i values): the reference\'s float32 bits on 1 and 3 threads', (nesterov, n) => {
    const p = randomFloats(n, 41), v = randomFloats(n, 42), g = randomFloats(n, 43);
    p.set([0, -0, Number.NaN, 1e30]);
    g.set([-0, 0, 1, Number.POSITIVE_INFINITY]);
    const results = [referenceKernels, k1, k3].map((k) => {
      const pOut = new Float32Array(n).fill(NaN), vOut = new Float32Array(n).fill(NaN);
      k.momentumStep(p, v, g, pOut, vOut, -0.01, 0.9, nesterov);
      return { pOut, vOut };
    });
    expect(results[0]!.vOut[5]).toBe(Math.fround(Math.fround(Math.fround(0.9) * v[5]!) + g[5]!));
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('refuses momentumStep arrays of another length, overlapping outputs and non-finite constants, writing nothing', () => {
    const a = () => new Float32Array(8).fill(1);
    const out = new Float32Array(8).fill(7);
    expect(() => k1.momentumStep(a(), a(), new Float32Array(7), out, a(), -0.1, 0.9, false)).toThrow("momentumStep: g has 7 elements, expected 8 (p's length)");
    expect(() => k1.momentumStep(a(), a(), a(), out, a(), Number.NaN, 0.9, false)).toThrow('momentumStep: c must be a finite number (got NaN)');
    const heap = new Float32Array(16);
    expect(() => k1.momentumStep(a(), a(), a(), heap.subarray(0, 8), heap.subarray(4, 12), -0.1, 0.9, false)).toThrow('momentumStep: vOut overlaps pOut');
    expect(out.every((x) => x === 7)).toBe(true);
  });

  it('is thread-independent where every kernel splits: 3x3, 40 channels, 2x20x20 (several column chunks of the input gradient)', () => {
    const g = convGeometry([2, 20, 20, 40], [3, 3, 24], [1, 1], [1, 1, 1, 1]);
    const r1 = convAll(k1, g, plain);
    const r3 = convAll(k3, g, plain);
    expect([r3.y, r3.dx, r3.dw]).toEqual([r1.y, r1.dx, r1.dw]);
  });

  it('reads inputs from SharedArrayBuffer views, at an offset too, with the same bits', () => {
    const g = CONV_CASES[1]![1];
    const expected = convAll(k1, g, plain);
    for (const alloc of [shared, sharedOffset]) {
      const got = convAll(k3, g, alloc);
      expect([got.y, got.dx, got.dw]).toEqual([expected.y, expected.dx, expected.dw]);
    }
    const a = sharedOffset(12, 1), b = sharedOffset(20, 2);
    const c = new Float32Array(new SharedArrayBuffer(15 * 4));
    const cPlain = new Float32Array(15);
    k1.matmul(a, b, c, 1, 3, 5, 4, false, false);
    k1.matmul(randomFloats(12, 1), randomFloats(20, 2), cPlain, 1, 3, 5, 4, false, false);
    expect(c).toEqual(cPlain);
  });

  it('refuses wrong sizes and an output overlapping an input, writing nothing', () => {
    const g = convGeometry([1, 4, 4, 2], [3, 3, 2], [1, 1], [1, 1, 1, 1]);
    const y = new Float32Array(31).fill(7);
    expect(() => k1.conv2d(new Float32Array(32), new Float32Array(36), y, g)).toThrow('conv2d: y has 31 elements, expected 32 (NHWC 1x4x4x2)');
    expect(y.every((v) => v === 7)).toBe(true);
    expect(() => k1.matmul(new Float32Array(6), new Float32Array(7), new Float32Array(4), 1, 2, 2, 3, false, false)).toThrow('matmul: b has 7 elements, expected 6');
    expect(() => k1.matmul(new Float32Array(6) as unknown as Float32Array, new Float32Array(6), new Float32Array(4), 1, 2, 2, 2.5, false, false)).toThrow('k must be an integer');
    const heap = new Float32Array(20);
    expect(() => k1.matmul(heap.subarray(0, 4), heap.subarray(4, 8), heap.subarray(2, 6), 1, 2, 2, 2, false, false)).toThrow('matmul: c overlaps a');
  });
});

/** n random 32-bit words: every float32 bit pattern is as likely, NaNs with payloads and subnormals included. */
function randomWords(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s ^ (s >>> 15);
  }
  return out;
}

/** Every permutation of 0..n-1. */
function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

const bits = (a: Float32Array | Int32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** Expects the same 32-bit words (a loop: a deep equality of millions of elements takes seconds). */
function expectSameBits(name: string, actual: Float32Array | Int32Array, expected: Float32Array | Int32Array): void {
  const [a, e] = [bits(actual), bits(expected)];
  expect(a.length, `${name}: length`).toBe(e.length);
  let differs = -1;
  for (let i = 0; i < a.length && differs < 0; i++) if (a[i] !== e[i]) differs = i;
  expect(differs, `${name}: first differing element`).toBe(-1);
}

const TRANSPOSE_CASES: ReadonlyArray<readonly [string, number[], number[]]> = [
  ['scalar', [], []],
  ['rank 1', [7], [0]],
  ['matrix, odd sizes', [5, 13], [1, 0]],
  ['matrix, 8x8 blocks and edges', [37, 83], [1, 0]],
  ['size-1 axis moved (a copy)', [1, 9], [1, 0]],
  ['batched 2-d, odd sizes', [3, 17, 19], [0, 2, 1]],
  ['size-1 axes everywhere', [1, 2, 1, 9, 1], [3, 4, 0, 1, 2]],
  ['innermost kept', [6, 7, 20], [1, 0, 2]],
  ['innermost kept, rank 4', [3, 4, 5, 6], [2, 0, 1, 3]],
  ['outer and inner swapped (OIHW <-> HWIO shape)', [12, 7, 9], [2, 1, 0]],
  ['OIHW -> HWIO', [64, 32, 3, 3], [2, 3, 1, 0]],
  ['HWIO -> OIHW', [3, 3, 32, 64], [3, 2, 0, 1]],
  ['OIHW -> HWIO, 512x512x3x3', [512, 512, 3, 3], [2, 3, 1, 0]],
  ['HWIO -> OIHW, 3x3x512x512', [3, 3, 512, 512], [3, 2, 0, 1]],
  ['NCHW -> NHWC, ResNet stem input (3 channels)', [32, 3, 32, 32], [0, 2, 3, 1]],
  ['NHWC -> NCHW, ResNet stem input', [32, 32, 32, 3], [0, 3, 1, 2]],
  ['NCHW -> NHWC, 32x64x32x32', [32, 64, 32, 32], [0, 2, 3, 1]],
  ['NHWC -> NCHW, 32x32x32x64', [32, 32, 32, 64], [0, 3, 1, 2]],
  ['NCHW -> NHWC, 32x512x4x4', [32, 512, 4, 4], [0, 2, 3, 1]],
  ['NHWC -> NCHW, 32x4x4x512', [32, 4, 4, 512], [0, 3, 1, 2]],
  ['NHWC -> CHWN (the filter gradient\'s)', [32, 8, 8, 128], [3, 1, 2, 0]],
  ['batch of outer/inner swaps, threaded', [16, 8, 32, 33], [3, 1, 0, 2]],
  ['rows copied, threaded', [64, 33, 40], [1, 0, 2]],
  ['a copy, threaded', [1, 70001, 1], [2, 1, 0]],
  ['rank 5', [2, 3, 1, 5, 7], [4, 0, 3, 2, 1]],
  ['rank 5, 8-aligned planes', [3, 16, 2, 24, 5], [0, 3, 2, 1, 4]],
  ['rank 6', [2, 3, 2, 5, 3, 9], [5, 3, 1, 0, 4, 2]],
  ['rank 6, reversed', [2, 3, 4, 5, 6, 7], [5, 4, 3, 2, 1, 0]],
  ['empty', [3, 0, 4], [2, 0, 1]],
];

describe.runIf(native)('native transpose', () => {
  const { one: k1, three: k3 } = native!;

  /** Checks native (1 and 3 threads, float32 and int32) against the reference, bit for bit. */
  function check(shape: readonly number[], perm: readonly number[], seed: number): void {
    const n = shape.reduce((s, d) => s * d, 1);
    const words = randomWords(n, seed);
    const x = new Float32Array(words.buffer);
    const expected = new Float32Array(n);
    transposeInto(x, expected, shape, perm);
    const y1 = new Float32Array(n), y3 = new Float32Array(n);
    k1.transpose(x, y1, shape, perm);
    k3.transpose(x, y3, shape, perm);
    expectSameBits(`1 thread [${shape}] perm [${perm}]`, y1, expected);
    expectSameBits(`3 threads [${shape}] perm [${perm}]`, y3, expected);
    const yi = new Int32Array(n);
    k3.transpose(new Int32Array(words.buffer), yi, shape, perm);
    expectSameBits(`int32 [${shape}] perm [${perm}]`, yi, expected);
  }

  it.each(TRANSPOSE_CASES)('equals the reference bit for bit on 1 and 3 threads, float32 and int32: %s', (_name, shape, perm) => {
    check(shape, perm, 31);
  });

  it('equals the reference for every permutation of rank 4 and of rank 6 (small sizes, one of them 1)', () => {
    for (const perm of permutations(4)) check([3, 1, 10, 9], perm, 32);
    for (const perm of permutations(6)) check([2, 3, 1, 4, 5, 2], perm, 33);
  });

  it('reads a SharedArrayBuffer view at an offset and writes into one', () => {
    const [shape, perm] = [[4, 24, 40], [0, 2, 1]];
    const heap = new Float32Array(new SharedArrayBuffer(4 * (2 * 3840 + 8)));
    const x = heap.subarray(3, 3 + 3840), y = heap.subarray(3 + 3840 + 2, 3 + 2 * 3840 + 2);
    x.set(randomFloats(3840, 34));
    const expected = new Float32Array(3840);
    transposeInto(x, expected, shape, perm);
    k3.transpose(x, y, shape, perm);
    expectSameBits('shared', y, expected);
  });

  it('refuses bad arguments with named errors, writing nothing', () => {
    const x = new Float32Array(24);
    const y = new Float32Array(24).fill(7);
    const untouched = () => expect(y.every((v) => v === 7)).toBe(true);
    expect(() => k1.transpose(x, new Float32Array(23), [2, 3, 4], [0, 2, 1])).toThrow('transpose: y has 23 elements, expected 24 (shape [2, 3, 4], perm [0, 2, 1])');
    expect(() => k1.transpose(new Float32Array(25), y, [2, 3, 4], [0, 2, 1])).toThrow('transpose: x has 25 elements, expected 24');
    expect(() => k1.transpose(x, y, [2, 3, 4], [0, 2, 2])).toThrow('transpose: perm [0, 2, 2] is not a permutation of 0..2');
    expect(() => k1.transpose(x, y, [2, 3, 4], [1, 0])).toThrow('transpose: perm [1, 0] is not a permutation of 0..2');
    expect(() => k1.transpose(x, y, [2, 3, 4, 1, 1, 1, 1], [0, 1, 2, 3, 4, 5, 6])).toThrow('transpose: shape must be an array of at most 6 sizes');
    expect(() => k1.transpose(x, y, [2, -3, 4], [0, 1, 2])).toThrow('transpose: shape[1] must be an integer >= 0');
    expect(() => k1.transpose(x, new Int32Array(24), [2, 3, 4], [0, 2, 1])).toThrow('transpose: x and y must be arrays of the same type');
    expect(() => k1.transpose(new Float64Array(24) as unknown as Float32Array, y, [2, 3, 4], [0, 2, 1])).toThrow('transpose: x must be a Float32Array or an Int32Array');
    untouched();
    const heap = new Float32Array(40);
    expect(() => k1.transpose(heap.subarray(0, 24), heap.subarray(10, 34), [2, 3, 4], [0, 2, 1])).toThrow('transpose: y overlaps x');
    expect(heap.every((v) => v === 0)).toBe(true);
  });

  it('checks the sizes again in C++ (the addon called directly)', () => {
    const binding = createRequire(import.meta.url)('../build/pq_kernels.node') as NativeBinding;
    const y = new Float32Array(24).fill(7);
    const shape = Int32Array.of(2, 3, 4);
    expect(() => binding.transpose(new Float32Array(24), new Float32Array(23), shape, Int32Array.of(0, 2, 1), 1)).toThrow('transpose: y has 23 elements, expected 24');
    expect(() => binding.transpose(new Float32Array(24), y, shape, Int32Array.of(0, 2, 2), 1)).toThrow('transpose: perm is not a permutation of 0..2');
    expect(() => binding.transpose(new Float32Array(24), y, shape, Int32Array.of(0, 1), 1)).toThrow('transpose: perm has 2 values, the shape 3');
    expect(() => binding.transpose(new Float32Array(24), y, Int32Array.of(2, -3, 4), Int32Array.of(0, 1, 2), 1)).toThrow('transpose: shape[1] is -3, negative');
    expect(() => binding.transpose(new Float32Array(24), y, Int32Array.of(1, 1, 1, 1, 1, 1, 1), new Int32Array(7), 1)).toThrow('transpose: shape has 7 values, at most 6 allowed');
    expect(() => binding.transpose(new Float32Array(24), y, Int32Array.of(65536, 65536), Int32Array.of(1, 0), 1)).toThrow('transpose: the shape has more than 2147483647 elements');
    expect(() => binding.transpose(new Int32Array(24), y, shape, Int32Array.of(0, 2, 1), 1)).toThrow('transpose: x and y must be arrays of the same type');
    expect(() => binding.transpose(new Float32Array(24), y, [2, 3, 4] as unknown as Int32Array, Int32Array.of(0, 2, 1), 1)).toThrow('transpose: shape must be an Int32Array');
    expect(y.every((v) => v === 7)).toBe(true);
  });
});

/** dy for a pooling: random, every seventh -0 (a ReLU's gradient gives them). */
const poolDy = (g: Pool2dGeometry, seed: number) =>
  randomFloats(g.batch * g.outHeight * g.outWidth * g.channels, seed).map((v, i) => (i % 7 === 0 ? -0 : v));

describe.runIf(native)('native maxPoolGrad', () => {
  const { one: k1, three: k3 } = native!;

  it.each(POOL_CASES)('equals the reference bit for bit on 1 and 3 threads (ties, NaN, -Infinity, -0): %s', (_name, g) => {
    const x = poolInput(g, 31), dy = poolDy(g, 32);
    const want = poolGrad(referenceKernels, x, dy, g);
    expect(mismatches(poolGrad(k1, x, dy, g), want)).toEqual([]);
    expect(mismatches(poolGrad(k3, x, dy, g), want)).toEqual([]);
  });

  it.each([
    ['LeNet, 2x2 stride 2', poolGeometry([12, 24, 24, 10], [2, 2], [2, 2], [0, 0, 0, 0])],
    ['3x3 stride 2 pad 1, 17 channels', poolGeometry([7, 24, 23, 17], [3, 3], [2, 2], [1, 1, 1, 1])],
  ] as const)('is thread-independent where the images are split across threads (every call splits in these tests: vitest.config.ts), and equals the reference: %s', (_name, g) => {
    const x = poolInput(g, 33), dy = poolDy(g, 34);
    const want = poolGrad(referenceKernels, x, dy, g);
    expect(mismatches(poolGrad(k1, x, dy, g), want)).toEqual([]);
    expect(mismatches(poolGrad(k3, x, dy, g), want)).toEqual([]);
  });

  it('follows the rules: the first maximum wins ties, NaN never wins, -0 onto +0 stays +0, overlapping windows add in window order', () => {
    for (const k of [k1, k3]) {
      for (const c of poolRuleCases()) expect(mismatches(poolGrad(k, c.x, c.dy, c.g), c.want), `${k.threads} threads: ${c.name}`).toEqual([]);
    }
  });

  it('reads SharedArrayBuffer views at an offset with the same bits', () => {
    const g = POOL_CASES[3]![1];
    const x = poolInput(g, 35), dy = poolDy(g, 36);
    const heap = new Float32Array(new SharedArrayBuffer(4 * (x.length * 2 + dy.length + 3)));
    const [xs, dys, dxs] = [heap.subarray(1, 1 + x.length), heap.subarray(2 + x.length, 2 + x.length + dy.length), heap.subarray(3 + x.length + dy.length)];
    xs.set(x);
    dys.set(dy);
    k3.maxPoolGrad(xs, dys, dxs, g);
    expect(mismatches(dxs, poolGrad(referenceKernels, x, dy, g))).toEqual([]);
  });

  it('refuses wrong sizes, bad geometry and dx overlapping an input, writing nothing', () => {
    const g = poolGeometry([2, 4, 4, 3], [2, 2], [2, 2], [0, 0, 0, 0]);
    const x = new Float32Array(96), dy = new Float32Array(24);
    const dx = new Float32Array(95).fill(7);
    for (const k of [k1, referenceKernels]) {
      expect(() => k.maxPoolGrad(x, dy, dx, g)).toThrow('maxPoolGrad: dx has 95 elements, expected 96 (NHWC 2x4x4x3)');
      expect(() => k.maxPoolGrad(x, new Float32Array(25), new Float32Array(96), g)).toThrow('maxPoolGrad: dy has 25 elements, expected 24 (NHWC 2x2x2x3)');
      expect(() => k.maxPoolGrad(x, dy, new Float32Array(96), { ...g, strideWidth: 0 })).toThrow('maxPoolGrad: geometry.strideWidth must be an integer >= 1 (got 0)');
      expect(() => k.maxPoolGrad(x, dy, new Float32Array(96), { ...g, padLeft: -1 })).toThrow('maxPoolGrad: geometry.padLeft must be an integer >= 0 (got -1)');
      expect(() => k.maxPoolGrad(x, dy, new Float32Array(96), { ...g, channels: 1.5 })).toThrow('maxPoolGrad: geometry.channels must be an integer >= 1');
    }
    expect(dx.every((v) => v === 7)).toBe(true);
    const heap = new Float32Array(200).fill(7);
    expect(() => k1.maxPoolGrad(heap.subarray(0, 96), heap.subarray(96, 120), heap.subarray(100, 196), g)).toThrow('maxPoolGrad: dx overlaps dy');
    expect(heap.every((v) => v === 7)).toBe(true);
  });

  it('checks sizes again in C++ (the addon called directly), writing nothing', () => {
    const binding = createRequire(import.meta.url)('../build/pq_kernels.node') as NativeBinding;
    const geometry = Int32Array.of(2, 4, 4, 3, 2, 2, 2, 2, 2, 2, 0, 0);
    const x = new Float32Array(96), dy = new Float32Array(24), dx = new Float32Array(95).fill(7);
    expect(() => binding.maxPoolGrad(x, dy, dx, geometry, 1)).toThrow('maxPoolGrad: dx has 95 elements, expected 96');
    expect(() => binding.maxPoolGrad(x, new Float32Array(23), new Float32Array(96), geometry, 1)).toThrow('maxPoolGrad: dy has 23 elements, expected 24');
    expect(() => binding.maxPoolGrad(x, dy, new Float32Array(96), geometry.subarray(0, 11), 1)).toThrow('maxPoolGrad: geometry must be an Int32Array of 12 values');
    expect(() => binding.maxPoolGrad(x, dy, new Float32Array(96), Int32Array.of(2, 4, 4, 3, 2, 2, 2, 2, 2, 2, -1, 0), 1)).toThrow('geometry value 10 is -1, out of range');
    expect(() => binding.maxPoolGrad(x, dy, new Float32Array(96), Int32Array.of(2, 4, 4, 3, 2, 2, 0, 2, 2, 2, 0, 0), 1)).toThrow('geometry value 6 is 0, out of range');
    // Sizes whose product overflows 64 bits are refused, not wrapped round to a small count.
    const huge = Int32Array.of(2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1, 1, 1, 2, 2, 2, 2, 0, 0);
    expect(() => binding.maxPoolGrad(x, dy, new Float32Array(96), huge, 1)).toThrow('maxPoolGrad: x has 96 elements, expected 2147483648');
    expect(() => binding.maxPoolGrad(x, dy, new Float32Array(96), geometry, 0)).toThrow('threads must be an integer from 1 to 256');
    expect(dx.every((v) => v === 7)).toBe(true);
  });
});
