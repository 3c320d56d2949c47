// Instance normalisation (each (sample, channel) normalised over its spatial dims) and batch
// normalisation (each channel over the batch and its spatial dims).
import * as tf from '@tensorflow/tfjs-core';
import { channelAffine } from '../accel/channel_affine.js';
import { functional } from '../hooks.js';
import { checkOptions, formatShape } from '@pq/core';
import { batchNormTrain } from '../ops/batch_norm.js';
import { PqRunningStats, type RunningStatsAttrs } from '../ops/kernel_names.js';

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

/** PyTorch's running update after a training batch of `count` values per channel (variance biased). */
function updateBatchNormStats(runningMean: tf.Variable, runningVar: tf.Variable, mean: tf.Tensor, variance: tf.Tensor, momentum: number, count: number): void {
  const unbias = count / (count - 1);
  if (tf.getKernel(PqRunningStats, tf.getBackend()) !== undefined) {
    const attrs: RunningStatsAttrs = { momentum, unbias };
    const [m, v] = tf.engine().runKernel(PqRunningStats, { runningMean, runningVar, mean, variance }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    runningMean.assign(m!);
    runningVar.assign(v!);
    return;
  }
  runningMean.assign(tf.add(tf.mul(runningMean, 1 - momentum), tf.mul(mean, momentum)));
  runningVar.assign(tf.add(tf.mul(runningVar, 1 - momentum), tf.mul(tf.mul(variance, unbias), momentum)));
}

export interface BatchNormOptions {
  weight?: tf.Tensor | null;
  bias?: tf.Tensor | null;
  /** Normalise with the batch's statistics and update the running ones when given (default false). */
  training?: boolean;
  /** Weight of the batch in the running update: running = (1 - momentum)·running + momentum·batch (default 0.1). */
  momentum?: number;
  eps?: number;
}

const BATCH_NORM_KEYS = ['weight', 'bias', 'training', 'momentum', 'eps'] as const;

/**
 * PyTorch's F.batch_norm on x [N, C, ...]: in training, each channel is normalised with the
 * batch's mean and biased variance over N and the spatial dims, and `runningMean` /
 * `runningVar` (variables, or null) are updated in place with the unbiased variance; in eval the
 * running statistics normalise. Then y·weight + bias per channel.
 *
 * ```js
 * const y = F.batchNorm(tf.tensor2d([[1, 2], [3, 6]]), null, null, { training: true });
 * y.print(); // [[-1, -1], [1, 1]] (up to eps)
 * ```
 */
export function batchNorm(x: tf.Tensor, runningMean: tf.Tensor | null, runningVar: tf.Tensor | null, o: BatchNormOptions = {}): tf.Tensor {
  checkOptions('batchNorm', o, BATCH_NORM_KEYS);
  if (x.rank < 2) throw new Error(`batchNorm: expected input [N, C, ...], got shape ${formatShape(x.shape)}`);
  const training = o.training ?? false;
  const momentum = o.momentum ?? 0.1;
  const eps = o.eps ?? 1e-5;
  if (!(eps > 0)) throw new Error(`batchNorm: eps must be positive, got ${eps}`);
  if (!Number.isFinite(momentum)) throw new Error(`batchNorm: momentum must be a finite number, got ${momentum}`);
  const channels = x.shape[1]!;
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', o.weight], ['bias', o.bias]] as const) {
    if (t && (t.rank !== 1 || t.shape[0] !== channels)) {
      throw new Error(`batchNorm: ${name} must have shape [${channels}] for input ${formatShape(x.shape)}, got ${formatShape(t.shape)}`);
    }
  }
  if ((runningMean === null) !== (runningVar === null)) throw new Error('batchNorm: give both runningMean and runningVar, or neither');
  const count = x.size / channels;
  if (training) {
    if (count <= 1) throw new Error(`batchNorm: expected more than 1 value per channel when training, got input of shape ${formatShape(x.shape)}`);
    for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar]] as const) {
      if (t !== null && !(t instanceof tf.Variable)) throw new Error(`batchNorm: ${name} must be a tf.Variable to be updated in training`);
    }
  } else if (runningMean === null) {
    throw new Error('batchNorm: runningMean and runningVar are needed in evaluation mode (training: false)');
  }
  const weight = o.weight ?? null;
  const bias = o.bias ?? null;
  return functional('batchNorm', [x, runningMean, runningVar, weight, bias], { training, momentum, eps }, () =>
    tf.tidy(() => {
      if (training) {
        const { y, mean, variance } = batchNormTrain(x, weight ?? tf.ones([channels]), bias ?? tf.zeros([channels]), eps);
        if (runningMean !== null && runningVar !== null) updateBatchNormStats(runningMean as tf.Variable, runningVar as tf.Variable, mean, variance, momentum, count);
        return y;
      }
      // As PyTorch's eval kernel: y = x·alpha + beta per channel.
      const bcast = [1, channels, ...x.shape.slice(2).map(() => 1)];
      let alpha = tf.rsqrt(tf.add(runningVar!, eps));
      if (weight) alpha = tf.mul(alpha, weight);
      let beta = tf.neg(tf.mul(runningMean!, alpha));
      if (bias) beta = tf.add(beta, bias);
      return channelAffine(x, alpha, beta) ?? tf.add(tf.mul(x, tf.reshape(alpha, bcast)), tf.reshape(beta, bcast));
    }),
  );
}
