// Convolutions on random geometries (1-3 spatial dims, stride, padding, dilation, groups,
// outputPadding) against direct loops. Both ops are linear in x and in the weight, so
// <dL/dx, v> = sum(loop(v, w) · dy) and <dL/dw, u> = sum(loop(x, u) · dy) check the gradients
// exactly (L = sum(y · dy)), with no finite-difference step to tune.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { F, Generator } from '@pq/nn';
import { convLoop, convTransposeLoop, type Geometry } from './loops.js';

const gen = new Generator(2024);
const int = (lo: number, hi: number): number => lo + Math.floor(gen.nextFloat() * (hi - lo + 1));
const rand = (n: number): Float32Array => gen.uniform(n, -1, 1);
const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 1e-6;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

interface Case {
  transposed: boolean;
  xShape: number[];
  wShape: number[];
  geo: Geometry;
  bias: boolean;
}

function randomCase(transposed: boolean, n: number): Case {
  const groups = int(1, 2);
  const cin = groups * int(1, 2);
  const cout = groups * int(1, 2);
  const k = Array.from({ length: n }, () => int(1, 3));
  const stride = Array.from({ length: n }, () => int(1, 2));
  const dilation = Array.from({ length: n }, () => int(1, 2));
  const padding = k.map((kk, i) => int(0, Math.floor((dilation[i]! * (kk - 1)) / 2)));
  const spatial = k.map((kk, i) => dilation[i]! * (kk - 1) + int(1, 4));
  const outputPadding = transposed ? stride.map((s, i) => int(0, Math.max(s, dilation[i]!) - 1)) : undefined;
  const wShape = transposed ? [cin, cout / groups, ...k] : [cout, cin / groups, ...k];
  return { transposed, xShape: [int(1, 2), cin, ...spatial], wShape, geo: { stride, padding, dilation, groups, ...(outputPadding ? { outputPadding } : {}) }, bias: gen.nextFloat() < 0.5 };
}

function run(c: Case, x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null): tf.Tensor {
  const n = c.xShape.length - 2;
  const { stride, padding, dilation, groups, outputPadding } = c.geo;
  return c.transposed
    ? F.convTransposeNd(`convTranspose${n}d`, n, x, w, b, { stride, padding, dilation, groups, outputPadding: outputPadding! })
    : F.convNd(`conv${n}d`, n, x, w, b, { stride, padding, dilation, groups });
}

describe('convolutions match direct loops on random geometries', () => {
  const cases: Case[] = [];
  for (const transposed of [false, true]) for (const n of [1, 2, 3]) for (let i = 0; i < 4; i++) cases.push(randomCase(transposed, n));
  cases.forEach((c, i) => {
    const label = `${c.transposed ? 'convTranspose' : 'conv'}${c.xShape.length - 2}d #${i} x${JSON.stringify(c.xShape)} w${JSON.stringify(c.wShape)} ${JSON.stringify(c.geo)}`;
    it(label, () => {
      const loop = c.transposed ? convTransposeLoop : convLoop;
      const xData = rand(size(c.xShape));
      const wData = rand(size(c.wShape));
      const outChannels = c.transposed ? c.wShape[1]! * c.geo.groups : c.wShape[0]!;
      const bData = c.bias ? rand(outChannels) : null;
      const ref = loop(xData, c.xShape, wData, c.wShape, bData, c.geo);
      const x = tf.tensor(xData, c.xShape);
      const w = tf.tensor(wData, c.wShape);
      const b = bData ? tf.tensor(bData) : null;
      const y = run(c, x, w, b);
      expect(y.shape).toEqual(ref.shape);
      const yd = y.dataSync();
      const scale = maxAbs(ref.y);
      ref.y.forEach((v, j) => expect(Math.abs(yd[j]! - v) / scale).toBeLessThan(1e-5));

      const dyData = rand(ref.y.length);
      const dy = tf.tensor(dyData, ref.shape);
      const [dx, dw] = tf.grads((xt: tf.Tensor, wt: tf.Tensor) => tf.sum(tf.mul(run(c, xt, wt, b), dy)))([x, w]);
      const v = rand(xData.length);
      const u = rand(wData.length);
      const expectDx = dot(loop(v, c.xShape, wData, c.wShape, null, c.geo).y, dyData);
      const expectDw = dot(loop(xData, c.xShape, u, c.wShape, null, c.geo).y, dyData);
      expect(Math.abs(dot(dx!.dataSync(), v) - expectDx)).toBeLessThan(1e-4 * Math.max(1, Math.abs(expectDx)));
      expect(Math.abs(dot(dw!.dataSync(), u) - expectDw)).toBeLessThan(1e-4 * Math.max(1, Math.abs(expectDw)));
      tf.dispose([x, w, y, dy, dx!, dw!, ...(b ? [b] : [])]);
    });
  });
});
