// An eval-mode batch norm's per-channel x·alpha + beta in one pass (accel/channel_affine.ts)
// against the broadcast Mul and Add it replaces, bit for bit: the output and the gradients with
// respect to x, alpha and beta, through F.batchNorm in eval mode (which takes the fused op where
// it runs: checked in tfjs's profile) and with the two ops written out, on the wasm path with the
// native kernels; numTensors flat.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { nativeUnavailableReason } from '@pq/kernels-native';
import { disableAcceleration, enableAcceleration } from './../../src/accel/index.js';
import { PqChannelAffine, channelAffine } from './../../src/accel/channel_affine.js';
import * as F from './../../src/functional/index.js';
import { mismatches, randomArray, rng } from './helpers.js';

const SHAPES = [[2, 13, 5, 7], [32, 20], [3, 8, 1, 1], [2, 9, 3, 4, 2]];

function twoOps(x: tf.Tensor, alpha: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const bcast = [1, x.shape[1]!, ...x.shape.slice(2).map(() => 1)];
  return tf.add(tf.mul(x, tf.reshape(alpha, bcast)), tf.reshape(beta, bcast));
}

function withGrads(f: (x: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor, x: tf.Tensor, a: tf.Tensor, b: tf.Tensor, dy: tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const y = f(x, a, b);
    const grads = tf.grads((u: tf.Tensor, v: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(f(u, v, w), dy)))([x, a, b]);
    return [y, ...grads].map((t) => Float32Array.from(t.dataSync()));
  });
}

describe.runIf(nativeUnavailableReason() === null)('channelAffine (eval-mode batch norm)', () => {
  it.each(SHAPES)('%j: output and gradients as the broadcast Mul and Add, bit for bit', async (...shape) => {
    await enableAcceleration({ backend: 'wasm' });
    try {
      const before = tf.memory().numTensors;
      const next = rng(shape.length * 31 + shape[1]!);
      const n = shape.reduce((p, d) => p * d, 1);
      const c = shape[1]!;
      const x = tf.tensor(randomArray(n, next, 3).map((v, i) => (i % 29 === 0 ? -0 : v)), shape);
      const [alpha, beta] = [tf.tensor(randomArray(c, next, 7)), tf.tensor(randomArray(c, next))];
      const dy = tf.tensor(randomArray(n, next), shape);
      const fused = withGrads((u, v, w) => channelAffine(u, v, w)!, x, alpha, beta, dy);
      const unfused = withGrads(twoOps, x, alpha, beta, dy);
      ['y', 'dx', 'dalpha', 'dbeta'].forEach((name, i) => expect(mismatches(fused[i]!, unfused[i]!), name).toEqual([]));
      const mean = tf.zeros([c]);
      const variance = tf.ones([c]);
      const profile = await tf.profile(() => tf.dispose(F.batchNorm(x, mean, variance, { weight: alpha, bias: beta })));
      expect(profile.kernelNames).toContain(PqChannelAffine);
      tf.dispose([x, alpha, beta, dy, mean, variance]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      disableAcceleration();
    }
  });
});
