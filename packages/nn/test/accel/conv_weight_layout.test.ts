// conv2d cuts the kernel taps that only meet padding from the PyTorch-layout weight before its
// layout change to tfjs's [kh, kw, Ci, Co] (so the transposes move only the taps kept). Only data
// movement changed: output and input and weight gradients must be bit for bit those of the former
// order, transpose the whole kernel and cut it after, on the accelerated wasm path.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as F from './../../src/functional/index.js';
import { mismatches, onAccelerated } from './helpers.js';

interface Case {
  x: number[];
  w: number[];
  stride: number;
  /** The taps kept per spatial dim, [first, count], as conv2d's trimming finds them. */
  taps: [number, number];
}

const cases: Array<[string, Case]> = [
  ['3x3 on 1x1 maps: the centre tap', { x: [2, 8, 1, 1], w: [12, 8, 3, 3], stride: 1, taps: [1, 1] }],
  ['3x3, stride 2 on 2x2 maps: 2x2 taps', { x: [2, 5, 2, 2], w: [6, 5, 3, 3], stride: 2, taps: [1, 2] }],
  ['3x3 on 4x4 maps: every tap', { x: [2, 5, 4, 4], w: [6, 5, 3, 3], stride: 1, taps: [0, 3] }],
];

/** The former order: the whole kernel to [kh, kw, Ci, Co], then the taps cut; padding 1. */
function formerOrder(c: Case, x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const [lo, n] = c.taps;
  const wcl = tf.slice(tf.transpose(w, [2, 3, 1, 0]), [lo, lo, 0, 0], [n, n, -1, -1]);
  const [before, after] = [1 - lo, 1 - (3 - lo - n)];
  const pad = before === 0 && after === 0 ? 'valid' : ([[0, 0], [before, after], [before, after], [0, 0]] as const);
  const y = tf.conv2d(tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D, wcl as tf.Tensor4D, c.stride, pad as never);
  return tf.transpose(y, [0, 3, 1, 2]);
}

describe('conv2d weight layout change after the tap cut', () => {
  it.each(cases)('%s: output and gradients bit for bit as before', async (_, c) => {
    await onAccelerated('wasm', () => {
      const before = tf.memory().numTensors;
      const x = tf.randomNormal(c.x, 0, 1, 'float32', 1);
      const w = tf.randomNormal(c.w, 0, 1, 'float32', 2);
      const conv = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => F.conv2d(a, b, null, { stride: c.stride, padding: 1 });
      const dy = tf.tidy(() => tf.randomNormal(conv(x, w).shape, 0, 1, 'float32', 3));
      const loss = (f: typeof conv) => (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.sum(tf.mul(f(a, b), dy));
      const now = [tf.tidy(() => conv(x, w)), ...tf.grads(loss(conv))([x, w])];
      const then = [tf.tidy(() => formerOrder(c, x, w)), ...tf.grads(loss((a, b) => formerOrder(c, a, b)))([x, w])];
      now.forEach((t, i) => expect(mismatches(t.dataSync(), then[i]!.dataSync()), ['y', 'dx', 'dw'][i]).toEqual([]));
      tf.dispose([x, w, dy, ...now, ...then]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
