// conv1d/conv2d drop the kernel taps that only ever meet padding (a 3x3 kernel on a 1x1 map,
// ResNet's last stage at 32x32 inputs). The dropped products are 0 · w, which add nothing to
// the sums, so outputs and gradients must equal those of tfjs's conv with the full kernel on
// the padded input (float rounding aside: the same terms in the same order).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as F from './../../src/functional/index.js';

interface Case {
  x: number[];
  w: number[];
  stride: number;
  padding: number;
  groups: number;
}

const cases: Case[] = [
  { x: [2, 3, 1, 1], w: [4, 3, 3, 3], stride: 1, padding: 1, groups: 1 },
  { x: [2, 3, 2, 5], w: [4, 3, 5, 3], stride: 2, padding: 2, groups: 1 },
  { x: [1, 4, 1, 3], w: [4, 1, 3, 3], stride: 1, padding: 1, groups: 4 },
  { x: [2, 3, 1], w: [2, 3, 3], stride: 1, padding: 1, groups: 1 },
];

/** The same convolution by tfjs alone: NHWC, the input zero-padded, the full kernel, 'valid'. */
function reference(c: Case, x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const n = c.x.length - 2;
  const x4 = n === 1 ? tf.expandDims(x, 2) : x;
  const w4 = n === 1 ? tf.expandDims(w, 2) : w;
  const p = c.padding;
  const xp = tf.pad(tf.transpose(x4, [0, 2, 3, 1]), [[0, 0], [n === 1 ? 0 : p, n === 1 ? 0 : p], [p, p], [0, 0]]);
  const wt = tf.transpose(w4, [2, 3, 1, 0]);
  const stride: [number, number] = [n === 1 ? 1 : c.stride, c.stride];
  const y = c.groups === 1
    ? tf.conv2d(xp as tf.Tensor4D, wt as tf.Tensor4D, stride, 'valid')
    : tf.depthwiseConv2d(xp as tf.Tensor4D, tf.reshape(wt, [wt.shape[0]!, wt.shape[1]!, c.groups, -1]) as tf.Tensor4D, stride, 'valid');
  const out = tf.transpose(y, [0, 3, 1, 2]);
  return n === 1 ? tf.squeeze(out, [2]) : out;
}

describe('conv taps that only meet padding', () => {
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s: output and gradients equal the full kernel\'s', (_, c) => {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', 1);
    const w = tf.randomNormal(c.w, 0, 1, 'float32', 2);
    const conv = (a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
      (c.x.length === 3 ? F.conv1d : F.conv2d)(a, b, null, { stride: c.stride, padding: c.padding, groups: c.groups });
    const y = conv(x, w);
    const yRef = reference(c, x, w);
    expect(y.shape).toEqual(yRef.shape);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), dy)))([x, w]);
    const gRef = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(reference(c, a, b), dy)))([x, w]);
    for (const [a, b] of [[y, yRef], [g[0]!, gRef[0]!], [g[1]!, gRef[1]!]] as const) {
      const [av, bv] = [a.dataSync(), b.dataSync()];
      for (let i = 0; i < av.length; i++) expect(Math.abs(av[i]! - bv[i]!)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(bv[i]!)));
    }
    tf.dispose([x, w, y, yRef, dy, ...g, ...gRef]);
  });
});
