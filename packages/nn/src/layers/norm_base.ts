// PyTorch's _NormBase: what BatchNorm and InstanceNorm share — numFeatures, eps, momentum, the
// affine weight/bias (ones/zeros) and the running statistics (running_mean zeros, running_var
// ones, num_batches_tracked an int64 0), in PyTorch's field order, and their reset and repr.
import * as tf from '@tensorflow/tfjs-core';
import { Module, buffer, parameter } from '../module.js';
import { checkOptions } from '@pq/core';
import { checkPositiveInt } from '../args.js';
import { pyBool, pyFloat } from '../py_repr.js';
import { optionKeysOf } from './option_keys.js';

export interface NormLayerOptions {
  eps?: number;
  /** Weight of each batch in the running statistics (default 0.1); null: their cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale (`weight`, ones) and shift (`bias`, zeros). */
  affine?: boolean;
  /** Keep `running_mean` / `running_var` / `num_batches_tracked` and normalise with them in eval mode. */
  trackRunningStats?: boolean;
}

export abstract class NormBase extends Module {
  static optionKeys: readonly string[] = ['eps', 'momentum', 'affine', 'trackRunningStats'];
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: tf.Variable | null;
  bias: tf.Variable | null;
  running_mean: tf.Variable | null;
  running_var: tf.Variable | null;
  num_batches_tracked: tf.Variable | null;

  /** `defaults`: the family's affine and trackRunningStats (BatchNorm: both true; InstanceNorm: both false). */
  constructor(
    readonly spatialDims: number,
    numFeatures: number,
    o: NormLayerOptions,
    defaults: { affine: boolean; trackRunningStats: boolean },
  ) {
    super();
    const name = this.typeName;
    checkOptions(name, o, optionKeysOf(this));
    this.numFeatures = checkPositiveInt(name, 'numFeatures', numFeatures);
    this.eps = o.eps ?? 1e-5;
    if (!(this.eps > 0)) throw new Error(`${name}: eps must be positive, got ${this.eps}`);
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    if (this.momentum !== null && !Number.isFinite(this.momentum)) throw new Error(`${name}: momentum must be a number or null, got ${String(this.momentum)}`);
    this.affine = o.affine ?? defaults.affine;
    this.trackRunningStats = o.trackRunningStats ?? defaults.trackRunningStats;
    this.weight = this.affine ? parameter(tf.ones([numFeatures]), 'weight') : null;
    this.bias = this.affine ? parameter(tf.zeros([numFeatures]), 'bias') : null;
    this.running_mean = this.trackRunningStats ? buffer(tf.zeros([numFeatures]), 'running_mean') : null;
    this.running_var = this.trackRunningStats ? buffer(tf.ones([numFeatures]), 'running_var') : null;
    this.num_batches_tracked = this.trackRunningStats ? buffer(tf.scalar(0, 'int32'), 'num_batches_tracked') : null;
  }

  /** Zeroes the running mean and the batch count, sets the running variance to ones. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    tf.tidy(() => {
      this.running_mean!.assign(tf.zerosLike(this.running_mean!));
      this.running_var!.assign(tf.onesLike(this.running_var!));
      this.num_batches_tracked!.assign(tf.scalar(0, 'int32'));
    });
  }

  /** resetRunningStats, and weight ones / bias zeros (PyTorch's reset_parameters). */
  resetParameters(): void {
    this.resetRunningStats();
    if (!this.affine) return;
    tf.tidy(() => {
      this.weight!.assign(tf.onesLike(this.weight!));
      this.bias!.assign(tf.zerosLike(this.bias!));
    });
  }

  override extraRepr(): string {
    return (
      `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, ` +
      `affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`
    );
  }
}
