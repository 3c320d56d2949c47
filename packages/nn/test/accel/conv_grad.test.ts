// pq's Conv2DBackpropFilter / Conv2DBackpropInput (one forward convolution each) against tfjs's
// stock cpu kernels, through tf.grads on random shapes: strides, every padding form, dilation
// (as @pq/nn builds it: a zero-stuffed filter) and groups (split, convolve, concat).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterGemm } from './../../src/accel/conv2d_filter_gemm.js';
import { int, maxRelDiff, onAccelerated, onStockCpu, randomArray, rng, values } from './helpers.js';

type Pad = 'valid' | 'same' | number | [[0, 0], [number, number], [number, number], [0, 0]];

interface ConvCase {
  xShape: [number, number, number, number];
  wShape: [number, number, number, number];
  stride: [number, number];
  pad: Pad;
  dilation: number;
  groups: number;
  x: Float32Array;
  w: Float32Array;
  dy: Float32Array | null;
}

/** A filter [kh,kw,ci,co] spread out with (d-1) zeros between taps, from differentiable ops. */
function dilateFilter(w: tf.Tensor4D, d: number): tf.Tensor4D {
  if (d === 1) return w;
  const [kh, kw, ci, co] = w.shape;
  const spread = tf.pad(tf.reshape(w, [kh, 1, kw, 1, ci, co]), [[0, 0], [0, d - 1], [0, 0], [0, d - 1], [0, 0], [0, 0]]);
  const full = tf.reshape(spread, [kh * d, kw * d, ci, co]);
  return tf.slice(full, [0, 0, 0, 0], [(kh - 1) * d + 1, (kw - 1) * d + 1, ci, co]) as tf.Tensor4D;
}

function convForward(c: ConvCase, x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  const wd = dilateFilter(w, c.dilation);
  if (c.groups === 1) return tf.conv2d(x, wd, c.stride, c.pad as 'valid');
  const xs = tf.split(x, c.groups, 3) as tf.Tensor4D[];
  const ws = tf.split(wd, c.groups, 3) as tf.Tensor4D[];
  return tf.concat(xs.map((xg, g) => tf.conv2d(xg, ws[g]!, c.stride, c.pad as 'valid')), 3);
}

/** Output, dx and dW of sum(conv(x, w) * dy). */
function convAndGrads(c: ConvCase): Float32Array[] {
  return values(
    tf.tidy(() => {
      const x = tf.tensor4d(c.x, c.xShape);
      const w = tf.tensor4d(c.w, c.wShape);
      const y = convForward(c, x, w);
      const dy = tf.tensor(c.dy ?? randomArray(y.size, rng(5)), y.shape);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(convForward(c, a as tf.Tensor4D, b as tf.Tensor4D), dy)))([x, w]);
      return [y, ...g];
    }),
  );
}

function randomCase(seed: number): ConvCase {
  const next = rng(seed);
  const groups = next() < 0.25 ? int(next, 2, 3) : 1;
  const dilation = next() < 0.25 ? 2 : 1;
  const kh = int(next, 1, 4);
  const kw = int(next, 1, 4);
  const stride: [number, number] = dilation > 1 ? [1, 1] : [int(next, 1, 3), int(next, 1, 3)];
  const span = Math.max(kh, kw) * dilation;
  const xShape: [number, number, number, number] = [int(next, 1, 3), int(next, span, span + 6), int(next, span, span + 6), groups * int(next, 1, 3)];
  const wShape: [number, number, number, number] = [kh, kw, xShape[3] / groups, groups * int(next, 1, 4)];
  const pads: Pad[] = ['valid', 'same', int(next, 0, 2), [[0, 0], [int(next, 0, 2), int(next, 0, 2)], [int(next, 0, 2), int(next, 0, 2)], [0, 0]]];
  let pad = pads[int(next, 0, 3)]!;
  // tfjs sizes a numerically padded output from the row stride and kernel height alone, so
  // numeric pads only with equal strides and square kernels; explicit pads cover the rest.
  if (typeof pad === 'number' && (stride[0] !== stride[1] || kh !== kw)) pad = [[0, 0], [pad, pad], [pad, pad], [0, 0]];
  if (typeof pad === 'number' && pad > 0 && stride[0] > 1) pad = 'valid'; // tfjs: numeric pad + stride needs dimRoundingMode
  return {
    xShape, wShape, stride, pad, dilation, groups,
    x: randomArray(xShape.reduce((p, d) => p * d, 1), next),
    w: randomArray(wShape.reduce((p, d) => p * d, 1), next),
    dy: null,
  };
}

describe('pq convolution gradients', () => {
  const cases = Array.from({ length: 24 }, (_, i) => randomCase(100 + i));
  cases.push({ // LeNet's conv2 at a small batch
    xShape: [4, 12, 12, 10], wShape: [5, 5, 10, 20], stride: [1, 1], pad: 'valid', dilation: 1, groups: 1,
    x: randomArray(4 * 144 * 10, rng(1)), w: randomArray(5000, rng(2)), dy: null,
  });

  it.each(cases.map((c, i) => [i, JSON.stringify({ x: c.xShape, w: c.wShape, s: c.stride, p: c.pad, d: c.dilation, g: c.groups }), c] as const))(
    'case %i %s: wasm and cpu match stock cpu',
    async (_, __, c) => {
      const stock = await onStockCpu(() => convAndGrads(c));
      for (const backend of ['wasm', 'cpu'] as const) {
        const fast = await onAccelerated(backend, () => convAndGrads(c));
        fast.forEach((a, k) => expect(maxRelDiff(a, stock[k]!), `${backend} output ${k}`).toBeLessThan(1e-5));
      }
    },
  );

  it('refuses, on wasm, a numeric pad that tfjs would size wrongly', async () => {
    await onAccelerated('wasm', () => {
      const x = tf.zeros([1, 6, 6, 1]) as tf.Tensor4D;
      expect(() => tf.conv2d(x, tf.zeros([3, 1, 1, 1]) as tf.Tensor4D, 1, 1)).toThrow(/numeric pad \(1\).*kernel 3x1.*explicit padding/);
      tf.dispose(x);
    });
  });

  it('computes the filter gradient as matrix products, in chunks of images, leaving no tensors behind', async () => {
    const x = tf.randomNormal([5, 9, 8, 3], 0, 1, 'float32', 1);
    const dy = tf.randomNormal([5, 5, 4, 4], 0, 1, 'float32', 2);
    const attrs = { strides: [2, 2], pad: [[0, 0], [1, 1], [1, 0], [0, 0]], dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] };
    const stock = await onStockCpu(() => values(tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor));
    const fast = await onAccelerated('wasm', () => {
      const before = tf.memory().numTensors;
      const args = { x, dy, strides: [2, 2] as [number, number], pad: attrs.pad, filterShape: attrs.filterShape as [number, number, number, number] };
      // 2 images a chunk (of 5): three products summed
      const info = conv2dBackpropFilterGemm(tf.backend(), args, 2 * 27 * 20 * 4)!;
      const out = values(tf.engine().makeTensorFromTensorInfo(info));
      expect(tf.memory().numTensors).toBe(before);
      return out;
    });
    expect(maxRelDiff(fast[0]!, stock[0]!)).toBeLessThan(1e-5);
    tf.dispose([x, dy]);
  });

  it('leaves a one-channel input alive after its filter gradient (whose layout change shares its data)', async () => {
    await onAccelerated('wasm', () => {
      const x = tf.randomNormal([2, 6, 6, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.ones([3, 3, 1, 2]);
      const data = x.dataSync().slice();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 2; i++) tf.dispose(tf.grads((v: tf.Tensor) => tf.sum(tf.conv2d(x, v as tf.Tensor4D, 1, 'valid')))([w]));
      expect(tf.memory().numTensors).toBe(before);
      expect(Array.from(x.dataSync())).toEqual(Array.from(data));
      tf.dispose([x, w]);
    });
  });

  // 3 channels: the matrix products; 12 with 10 rows: the convolution, whose result has a tap row
  // too many (cut in the same pass as its layout change).
  it.each([[[2, 9, 8, 3]], [[2, 10, 8, 12]]])('calls the pq kernels directly with explicit padding and strides 2, x %j', async (shape) => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
    const dy = tf.randomNormal([2, 5, 4, 5], 0, 1, 'float32', 2);
    const attrs = { strides: [2, 2], pad: [[0, 0], [1, 1], [1, 0], [0, 0]], dataFormat: 'NHWC', filterShape: [3, 3, shape[3], 5] };
    const run = (): Float32Array[] => values(tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor);
    const stock = await onStockCpu(run);
    const fast = await onAccelerated('wasm', run);
    expect(maxRelDiff(fast[0]!, stock[0]!)).toBeLessThan(1e-5);
    tf.dispose([x, dy]);
  });
});

describe('pq 3-d convolution gradients (wasm)', () => {
  const configs: Array<[number[], 'valid' | 'same']> = [[[1, 1, 1], 'valid'], [[2, 2, 1], 'valid'], [[1, 1, 1], 'same'], [[2, 1, 2], 'same']];
  it.each(configs.map((c) => [JSON.stringify(c), c] as const))('%s matches stock cpu', async (_, [strides, pad]) => {
    const next = rng(77);
    const x = randomArray(2 * 4 * 5 * 3 * 2, next);
    const w = randomArray(2 * 2 * 2 * 2 * 3, next);
    const run = (): Float32Array[] =>
      values(
        tf.tidy(() => {
          const xt = tf.tensor5d(x, [2, 4, 5, 3, 2]);
          const wt = tf.tensor5d(w, [2, 2, 2, 2, 3]);
          const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, strides as [number, number, number], pad);
          const y = f(xt, wt);
          const dy = tf.tensor(randomArray(y.size, rng(8)), y.shape);
          return [y, ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), dy)))([xt, wt])];
        }),
      );
    const stock = await onStockCpu(run);
    const fast = await onAccelerated('wasm', run);
    fast.forEach((a, k) => expect(maxRelDiff(a, stock[k]!), `output ${k}`).toBeLessThan(1e-5));
  });
});
