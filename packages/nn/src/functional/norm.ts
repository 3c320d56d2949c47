// Instance normalisation: each (sample, channel) normalised over its spatial dims.
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';
import { checkOptions, formatShape } from '@pq/core';

export interface InstanceNormOptions {
  /** Running statistics ([C]); used instead of the input's when `useInputStats` is false. */
  runningMean?: tf.Variable | null;
  runningVar?: tf.Variable | null;
  weight?: tf.Tensor | null;
  bias?: tf.Tensor | null;
  /** Normalise with the input's own statistics (and update the running ones when given). Default true. */
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

const KEYS = {
  runningMean: 'any', runningVar: 'any', weight: 'any', bias: 'any', useInputStats: 'boolean', momentum: 'number', eps: 'number',
} as const;

/** x [N, C, sp...]: (x - mean) / sqrt(var + eps) per (n, c), biased variance, then affine. */
export function instanceNorm(x: tf.Tensor, o: InstanceNormOptions = {}): tf.Tensor {
  checkOptions('instanceNorm', o, KEYS);
  if (x.rank < 3) throw new Error(`instanceNorm: expected input [N, C, spatial...], got shape ${formatShape(x.shape)}`);
  const eps = o.eps ?? 1e-5;
  const momentum = o.momentum ?? 0.1;
  const useInputStats = o.useInputStats ?? true;
  const channels = x.shape[1]!;
  for (const [name, t] of [['runningMean', o.runningMean], ['runningVar', o.runningVar], ['weight', o.weight], ['bias', o.bias]] as const) {
    if (t && (t.rank !== 1 || t.shape[0] !== channels)) {
      throw new Error(`instanceNorm: ${name} must have shape [${channels}] for input ${formatShape(x.shape)}, got ${formatShape(t.shape)}`);
    }
  }
  if (!useInputStats && (!o.runningMean || !o.runningVar)) {
    throw new Error('instanceNorm: useInputStats = false needs runningMean and runningVar');
  }
  const axes = Array.from({ length: x.rank - 2 }, (_, i) => i + 2);
  const bcast = [1, channels, ...axes.map(() => 1)];
  return functional('instanceNorm', [x, o.weight ?? null, o.bias ?? null], { eps, momentum, useInputStats }, () =>
    tf.tidy(() => {
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (useInputStats) {
        ({ mean, variance } = tf.moments(x, axes, true));
        if (o.runningMean && o.runningVar) updateRunningStats(o.runningMean, o.runningVar, mean, variance, x, axes, momentum);
      } else {
        mean = tf.reshape(o.runningMean!, bcast);
        variance = tf.reshape(o.runningVar!, bcast);
      }
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
      if (o.weight) y = tf.mul(y, tf.reshape(o.weight, bcast));
      if (o.bias) y = tf.add(y, tf.reshape(o.bias, bcast));
      return y;
    }),
  );
}

/** PyTorch's rule: running = (1 - m)·running + m·(batch mean of per-instance stats, unbiased var). */
function updateRunningStats(
  runningMean: tf.Variable,
  runningVar: tf.Variable,
  mean: tf.Tensor,
  variance: tf.Tensor,
  x: tf.Tensor,
  axes: number[],
  momentum: number,
): void {
  tf.tidy(() => {
    const count = axes.reduce((a, ax) => a * x.shape[ax]!, 1);
    const channels = x.shape[1]!;
    const m = tf.mean(tf.reshape(mean, [-1, channels]), 0);
    const unbiased = tf.mul(tf.mean(tf.reshape(variance, [-1, channels]), 0), count / Math.max(count - 1, 1));
    runningMean.assign(tf.add(tf.mul(runningMean, 1 - momentum), tf.mul(m, momentum)));
    runningVar.assign(tf.add(tf.mul(runningVar, 1 - momentum), tf.mul(unbiased, momentum)));
  });
}
