// pq's native kernels (@pq/kernels-native) behind the wasm backend's Conv2D, its two gradients and
// BatchMatMul, against tfjs's stock cpu kernels; MaxPoolGrad, which only adds, against pq's wasm
// kernel bit for bit. Both sides sum the same products in different
// orders (and the native side with FMA), so they agree within a bound, not bit for bit: a sum of
// n products computed in float32, in any order, with or without fused multiply-adds, is within
// n·u·Σ|a·b| of the exact sum (u = 2^-24, to first order; Higham, Accuracy and Stability of
// Numerical Algorithms, §3.1), so two such sums are within 2·n·u·Σ|a·b| of each other. Σ|a·b|
// for every output is the same operation applied to |a| and |b| (on stock cpu); n is the
// reduction length of that output (kh·kw·Ci forward, kh·kw·Co for the input gradient, N·OH·OW
// for the filter gradient, k for a matrix product). An indexing mistake costs at least one whole
// product, far above the bound.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { accelerationState, disableAcceleration, enableAcceleration } from './../../src/accel/index.js';
import { nativeKernels, provideNativeKernels, type NativeSource } from './../../src/accel/native_provider.js';
import { loadNativeKernels, nativeUnavailableReason, referenceKernels } from '@pq/kernels-native';
import { linear } from './../../src/functional/linear.js';
import { conv2d as pqConv2d } from './../../src/functional/conv.js';
import { mismatches, onStockCpu, randomArray, rng, values } from './helpers.js';


const U = 2 ** -24;

type Pad = 'valid' | 'same' | number | [[0, 0], [number, number], [number, number], [0, 0]];
interface ConvCase { x: [number, number, number, number]; w: [number, number, number, number]; stride: [number, number]; pad: Pad }

/** Output, dx and dW of sum(conv2d(x, w) * dy) for the given values. */
function convAndGrads(c: ConvCase, x: Float32Array, w: Float32Array, dy: Float32Array): Float32Array[] {
  return values(
    tf.tidy(() => {
      const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad as 'valid');
      const xt = tf.tensor4d(x, c.x);
      const wt = tf.tensor4d(w, c.w);
      const y = f(xt, wt);
      const dyt = tf.tensor(dy, y.shape);
      return [y, ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), dyt)))([xt, wt])];
    }),
  );
}

/** Every |got - want| <= 2·n·u·bound, elementwise; returns the offending indices. */
function outsideBound(got: Float32Array, want: Float32Array, bound: Float32Array, n: number): number[] {
  const bad: number[] = [];
  for (let i = 0; i < got.length; i++) if (!(Math.abs(got[i]! - want[i]!) <= 2 * n * U * bound[i]!)) bad.push(i);
  return bad;
}

const abs = (a: Float32Array): Float32Array => a.map(Math.abs);

/**
 * `run` with the native kernels (after a warm-up: the first call may create tensors tfjs keeps;
 * `kernel` called once, no tensor left behind) and with them off (the wasm kernels).
 */
async function againstWasmKernel(kernel: 'maxPoolGrad' | 'avgPoolGrad', run: () => Float32Array): Promise<{ fast: Float32Array; wasm: Float32Array }> {
  run();
  const spy = vi.spyOn(nativeKernels()!, kernel);
  const tensors = tf.memory().numTensors;
  const fast = run();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(spy).toHaveBeenCalledTimes(1);
  spy.mockRestore();
  await enableAcceleration({ native: false });
  const wasm = run();
  await enableAcceleration();
  return { fast, wasm };
}

function outSize(c: ConvCase): number {
  return tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.w) as tf.Tensor4D, c.stride, c.pad as 'valid').size);
}

const cases: ConvCase[] = [
  { x: [2, 7, 6, 3], w: [3, 3, 3, 4], stride: [1, 1], pad: 'same' },
  { x: [2, 9, 8, 5], w: [3, 3, 5, 6], stride: [2, 2], pad: [[0, 0], [1, 0], [0, 2], [0, 0]] }, // asymmetric
  { x: [1, 8, 8, 4], w: [3, 2, 4, 3], stride: [2, 1], pad: 'same' },
  { x: [2, 5, 5, 6], w: [1, 1, 6, 7], stride: [1, 1], pad: 'valid' },
  { x: [2, 6, 7, 4], w: [1, 1, 4, 5], stride: [2, 2], pad: 'valid' }, // a ResNet downsample shortcut
  { x: [1, 16, 16, 3], w: [7, 7, 3, 4], stride: [2, 2], pad: [[0, 0], [3, 3], [3, 3], [0, 0]] }, // a ResNet stem
  { x: [3, 6, 6, 1], w: [3, 3, 1, 2], stride: [1, 1], pad: 1 },
  { x: [1, 6, 5, 2], w: [4, 4, 2, 3], stride: [3, 3], pad: 'same' }, // stride above the kernel... with 'same'
];

// The addon where it is built (the test task builds it first), and the package's reference
// loops (float64) everywhere: the second checks pq's side (geometry, views, fallbacks) even on a
// machine where the addon could not be built.
const sources: Array<[string, NativeSource | null]> = [
  ['reference kernels', { load: () => referenceKernels, unavailableReason: () => null }],
  ['the native addon', nativeUnavailableReason() === null ? { load: loadNativeKernels, unavailableReason: nativeUnavailableReason } : null],
];

it('reports why the addon does not run, where it does not', async () => {
  const state = await enableAcceleration();
  disableAcceleration();
  const reason = nativeUnavailableReason();
  expect(state.native).toEqual(reason === null ? { active: true, threads: 1, reason: null } : { active: false, threads: 0, reason });
});

describe.each(sources.filter(([, s]) => s !== null))('%s behind the wasm backend', (_, source) => {
  let previous: NativeSource | null = null;
  beforeAll(async () => {
    previous = provideNativeKernels(source);
    await enableAcceleration();
  });
  afterAll(() => {
    disableAcceleration();
    provideNativeKernels(previous);
  });

  it('report that they run', () => {
    expect(accelerationState().native).toMatchObject({ active: true, reason: null });
  });

  it.each(cases.map((c, i) => [i, JSON.stringify(c), c] as const))('conv2d case %i %s: output and gradients within the bound', async (_, __, c) => {
    const next = rng(40);
    const x = randomArray(c.x.reduce((p, d) => p * d, 1), next);
    const w = randomArray(c.w.reduce((p, d) => p * d, 1), next);
    const dy = randomArray(outSize(c), next);
    const k = nativeKernels()!;
    const calls = [vi.spyOn(k, 'conv2d'), vi.spyOn(k, 'conv2dBackpropInput'), vi.spyOn(k, 'conv2dBackpropFilter')];
    const fast = convAndGrads(c, x, w, dy);
    calls.forEach((s, i) => expect(s, `native kernel ${i} ran`).toHaveBeenCalled());
    calls.forEach((s) => s.mockRestore());
    const [stock, bound] = await onStockCpu(() => [convAndGrads(c, x, w, dy), convAndGrads(c, abs(x), abs(w), abs(dy))]);
    await enableAcceleration();
    const [kh, kw, ci, co] = c.w;
    const oh = fast[0]!.length / (c.x[0] * co);
    const lengths = [kh * kw * ci, kh * kw * co, c.x[0] * oh];
    fast.forEach((v, i) => expect(outsideBound(v, stock![i]!, bound![i]!, lengths[i]!), `output ${i}`).toEqual([]));
  });

  it.each([
    ['3x3 pad 1, 14 wide', [2, 3, 5, 14], [4, 3, 3, 3], 1],
    ['5x3 pad (2, 1), 13 wide, 9 channels out', [1, 5, 6, 13], [9, 5, 5, 3], [2, 1]],
    ['1x1, 16 wide', [2, 6, 4, 16], [5, 6, 1, 1], 0],
  ] as const)('pq\'s conv2d of NCHW x %s runs channels first, no transposes of x or y, within the bound', async (_, xs, ws, padding) => {
    const next = rng(44);
    const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
    const x = randomArray(size(xs), next), w = randomArray(size(ws), next), b = randomArray(ws[0], next);
    const run = (xv: Float32Array, wv: Float32Array, bv: Float32Array, dyv?: Float32Array): Float32Array[] =>
      values(tf.tidy(() => {
        const [xt, wt, bt] = [tf.tensor(xv, [...xs]), tf.tensor(wv, [...ws]), tf.tensor(bv, [ws[0]])];
        const f = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor): tf.Tensor => pqConv2d(p, q, r, { padding: padding as number });
        const y = f(xt, wt, bt);
        const dy = tf.tensor(dyv ?? randomArray(y.size, rng(45)), y.shape);
        return [y, ...tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(f(p, q, r), dy)))([xt, wt, bt])];
      }));
    const k = nativeKernels()!;
    const spy = vi.spyOn(k, 'conv2d');
    const sums = vi.spyOn(k, 'channelSums');
    let fast: Float32Array[] = [];
    const profile = await tf.profile(() => {
      fast = run(x, w, b);
    });
    expect(spy.mock.calls[0]![3]).toMatchObject({ channelsFirst: true });
    expect(sums).toHaveBeenCalled();
    spy.mockRestore();
    sums.mockRestore();
    const activations = [JSON.stringify(xs), JSON.stringify(profile.kernels.find((e) => e.name === 'Conv2D')!.outputShapes[0])];
    expect(profile.kernels.filter((e) => e.name === 'Transpose' && activations.includes(JSON.stringify(e.inputShapes[0]))).map((e) => e.inputShapes)).toEqual([]);
    const dy = randomArray(fast[0]!.length, rng(45));
    const [stock, bound] = await onStockCpu(() => [run(x, w, b, dy), run(abs(x), abs(w), abs(b), abs(dy))]);
    await enableAcceleration();
    const pixels = fast[0]!.length / ws[0];
    const lengths = [ws[1] * ws[2] * ws[3] + 1, ws[0] * ws[2] * ws[3], pixels, pixels];
    fast.forEach((v, i) => expect(outsideBound(v, stock![i]!, bound![i]!, lengths[i]!), `output ${i}`).toEqual([]));
  });

  it('sums over every axis but the channels (a channels-first bias gradient) with the stock kernel\'s bits', async () => {
    const x = randomArray(3 * 13 * 5 * 7, rng(46)).map((v, i) => (i % 7 === 0 ? v * 2 ** 20 : v));
    const sum = (axes: number[], keepDims = false): Float32Array => values(tf.tidy(() => tf.sum(tf.tensor(x, [3, 13, 5, 7]), axes, keepDims)))[0]!;
    const spy = vi.spyOn(nativeKernels()!, 'channelSums');
    const fast = [sum([0, 2, 3]), sum([0, 2, 3], true), sum([0, 1, 3])];
    expect(spy).toHaveBeenCalledTimes(3);
    spy.mockRestore();
    await enableAcceleration({ native: false });
    const wasm = [sum([0, 2, 3]), sum([0, 2, 3], true), sum([0, 1, 3])];
    await enableAcceleration();
    fast.forEach((v, i) => expect(mismatches(v, wasm[i]!), `case ${i}`).toEqual([]));
  });

  it.each([
    ['LeNet-like, 2x2 stride 2', [3, 24, 24, 10], [2, 2], [2, 2], 'valid'],
    ['overlapping, 3x3 stride 2 pad 1 (ResNet\'s stem pool)', [2, 11, 10, 17], [3, 3], [2, 2], 1],
    ['3x2 stride (1, 2), same, 7 channels', [2, 7, 9, 7], [3, 2], [1, 2], 'same'],
  ] as const)('MaxPoolGrad %s: the bits of the wasm kernel (native off), no tensor left behind', async (_, shape, f, s, pad) => {
    const next = rng(42);
    // Ties (a few levels, +0 and -0 among them), NaN and -Infinity: the first maximum must win, NaN never.
    const x = randomArray(shape.reduce((p, d) => p * d, 1), next).map((v, i) =>
      i % 13 === 0 ? Number.NaN : i % 11 === 0 ? Number.NEGATIVE_INFINITY : i % 17 === 0 ? -0 : Math.round(v * 2) / 2);
    const grad = (): Float32Array =>
      values(tf.tidy(() => {
        const xt = tf.tensor4d(x, [...shape]);
        const pool = (v: tf.Tensor): tf.Tensor => tf.maxPool(v as tf.Tensor4D, [...f], [...s], pad);
        const y = pool(xt);
        const dy = tf.tensor(randomArray(y.size, rng(43)).map((v, i) => (i % 7 === 0 ? -0 : v)), y.shape);
        return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(pool(v), dy)))(xt);
      }))[0]!;
    const { fast, wasm } = await againstWasmKernel('maxPoolGrad', grad);
    expect(fast.some((v) => v !== 0)).toBe(true);
    expect(mismatches(fast, wasm)).toEqual([]);
  });

  it.each([
    ['2x2 stride 2', [2, 12, 10, 9], [2, 2], [2, 2], 'valid'],
    ['3x3 stride 2 pad 1, overlapping', [2, 11, 10, 17], [3, 3], [2, 2], 1],
    ['3x2 stride (1, 2), same', [1, 7, 9, 6], [3, 2], [1, 2], 'same'],
  ] as const)('AvgPoolGrad %s: the bits of tfjs-wasm\'s kernel (native off), no tensor left behind', async (_, shape, f, s, pad) => {
    const grad = (): Float32Array =>
      values(tf.tidy(() => {
        const xt = tf.tensor4d(randomArray((shape as readonly number[]).reduce((p, d) => p * d, 1), rng(47)), [...shape]);
        const pool = (v: tf.Tensor): tf.Tensor => tf.avgPool(v as tf.Tensor4D, [...f], [...s], pad);
        const y = pool(xt);
        const dy = tf.tensor(randomArray(y.size, rng(48)).map((v, i) => (i % 5 === 0 ? v * 1e6 : v)), y.shape);
        return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(pool(v), dy)))(xt);
      }))[0]!;
    const { fast, wasm } = await againstWasmKernel('avgPoolGrad', grad);
    expect(mismatches(fast, wasm)).toEqual([]);
  });

  it('runs BatchMatMul (transposed, batched, broadcast) and Linear within the bound', async () => {
    const next = rng(41);
    const shapes: Array<[number[], number[], boolean, boolean]> = [
      [[5, 7], [7, 3], false, false], [[7, 5], [3, 7], true, true], [[2, 4, 6], [2, 6, 3], false, false],
      [[2, 6, 4], [6, 5], true, false], [[4, 6], [3, 5, 6], false, true],
    ];
    for (const [aShape, bShape, tA, tB] of shapes) {
      const a = randomArray(aShape.reduce((p, d) => p * d, 1), next);
      const b = randomArray(bShape.reduce((p, d) => p * d, 1), next);
      const run = (av: Float32Array, bv: Float32Array): Float32Array[] =>
        values(tf.tidy(() => {
          const f = (p: tf.Tensor, q: tf.Tensor): tf.Tensor => tf.matMul(p, q, tA, tB);
          const [at, bt] = [tf.tensor(av, aShape), tf.tensor(bv, bShape)];
          // tfjs's BatchMatMul gradient does not sum over a broadcast batch: forward only there.
          if (aShape.length !== bShape.length) return [f(at, bt)];
          return [f(at, bt), ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(f(p, q)))([at, bt])];
        }));
      const spy = vi.spyOn(nativeKernels()!, 'matmul');
      const fast = run(a, b);
      expect(spy, JSON.stringify(aShape)).toHaveBeenCalled();
      spy.mockRestore();
      const [stock, bound] = await onStockCpu(() => [run(a, b), run(abs(a), abs(b))]);
      await enableAcceleration();
      // The gradients of sum(a·b) sum over the other operand's free dimension.
      const [ra, rb] = [aShape.length, bShape.length];
      const [m, k, n] = [aShape[tA ? ra - 1 : ra - 2]!, aShape[tA ? ra - 2 : ra - 1]!, bShape[tB ? rb - 2 : rb - 1]!];
      const lengths = [k, n, m];
      fast.forEach((v, i) => expect(outsideBound(v, stock![i]!, bound![i]!, lengths[i]!), `${JSON.stringify(aShape)} output ${i}`).toEqual([]));
    }
    const x = tf.tensor(randomArray(4 * 9, next), [4, 9]);
    const w = tf.tensor(randomArray(5 * 9, next), [5, 9]);
    const spy = vi.spyOn(nativeKernels()!, 'matmul');
    const y = values(linear(x, w))[0]!;
    expect(spy).toHaveBeenCalledWith(expect.anything(), expect.anything(), expect.anything(), 1, 4, 5, 9, false, true);
    spy.mockRestore();
    const [want, bound] = await onStockCpu(() => [values(linear(x, w))[0]!, values(linear(tf.abs(x), tf.abs(w)))[0]!]);
    expect(outsideBound(y, want!, bound!, 9)).toEqual([]);
    tf.dispose([x, w]);
    await enableAcceleration();
  });
});

describe('enableAcceleration({ native: false })', () => {
  let previous: NativeSource | null = null;
  beforeAll(() => {
    previous = provideNativeKernels(sources[0]![1]);
  });
  afterAll(() => {
    disableAcceleration();
    provideNativeKernels(previous);
  });
  it('keeps the wasm kernels and says why native ones do not run', async () => {
    const state = await enableAcceleration({ native: false });
    expect(state.native).toEqual({ active: false, threads: 0, reason: 'turned off by enableAcceleration({ native: false })' });
    expect(nativeKernels()).toBeNull();
    const y = values(tf.tidy(() => tf.conv2d(tf.ones([1, 4, 4, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 'valid')))[0]!;
    expect(Array.from(y)).toEqual([18, 18, 18, 18]);
    await expect(enableAcceleration({ native: 'no' as never })).rejects.toThrow(/native must be true or false, got no/);
    expect((await enableAcceleration()).native.active).toBe(true);
  });
});
