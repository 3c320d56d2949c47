// nn.BatchNorm1d/2d/3d: defaults eps 1e-5, momentum 0.1 (null: cumulative moving average),
// affine true, trackRunningStats true; buffers running_mean, running_var and
// num_batches_tracked (int64 in state dicts) with PyTorch's names and order.
import * as tf from '@tensorflow/tfjs-core';
import { Module, buffer, parameter } from '../module.js';
import { batchNorm } from '../functional/norm.js';
import { checkOptions, formatShape } from '@pq/core';
import { checkPositiveInt, spatialDimNames } from '../args.js';
import { pyBool, pyFloat } from '../py_repr.js';
import { layerName } from './layer_input.js';
import { optionKeysOf } from './option_keys.js';
import { withSpatialDims } from './spatial_dims.js';

export interface BatchNormLayerOptions {
  eps?: number;
  /** Weight of each batch in the running statistics (default 0.1); null: their cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale (`weight`, ones) and shift (`bias`, zeros). Default true. */
  affine?: boolean;
  /** Keep `running_mean` / `running_var` / `num_batches_tracked` and normalise with them in eval mode. Default true. */
  trackRunningStats?: boolean;
}

/** PyTorch's _BatchNorm. */
export abstract class BatchNormNd extends Module {
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

  constructor(readonly spatialDims: number, numFeatures: number, o: BatchNormLayerOptions = {}) {
    super();
    const name = this.typeName;
    checkOptions(name, o, optionKeysOf(this));
    this.numFeatures = checkPositiveInt(name, 'numFeatures', numFeatures);
    this.eps = o.eps ?? 1e-5;
    if (!(this.eps > 0)) throw new Error(`${name}: eps must be positive, got ${this.eps}`);
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    if (this.momentum !== null && !Number.isFinite(this.momentum)) throw new Error(`${name}: momentum must be a number or null, got ${String(this.momentum)}`);
    this.affine = o.affine ?? true;
    this.trackRunningStats = o.trackRunningStats ?? true;
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

  override forward(x: tf.Tensor): tf.Tensor {
    this.checkInput(x);
    if (this.training && x.size / this.numFeatures <= 1) {
      // Refused before the batch is counted, so a failed step changes nothing.
      throw new Error(`${layerName(this)}: expected more than 1 value per channel when training, got input of shape ${formatShape(x.shape)}`);
    }
    let factor = this.momentum ?? 0;
    const nbt = this.num_batches_tracked;
    if (this.training && nbt !== null) {
      tf.tidy(() => nbt.assign(tf.add(nbt, tf.scalar(1, 'int32'))));
      // Cumulative moving average: the n-th batch weighs 1/n.
      if (this.momentum === null) factor = 1 / nbt.dataSync()[0]!;
    }
    // In training, or without running statistics, the batch's statistics normalise.
    return batchNorm(x, this.running_mean, this.running_var, {
      weight: this.weight,
      bias: this.bias,
      training: this.training || this.running_mean === null,
      momentum: factor,
      eps: this.eps,
    });
  }

  /** [N, C] or [N, C, L] for 1d, [N, C, H, W] for 2d, [N, C, D, H, W] for 3d, as PyTorch. */
  protected checkInput(x: tf.Tensor): void {
    const c = this.numFeatures;
    const n = this.spatialDims;
    const ranks = n === 1 ? [2, 3] : [n + 2];
    const expected = n === 1 ? `[N, ${c}] or [N, ${c}, L]` : `[N, ${c}, ${spatialDimNames(n)}]`;
    if (!ranks.includes(x.rank)) throw new Error(`${layerName(this)}: expected input ${expected} (rank ${ranks.join(' or ')}), got shape ${formatShape(x.shape)}`);
    if (x.shape[1] !== c) throw new Error(`${layerName(this)}: expected input ${expected} with ${c} channels, got shape ${formatShape(x.shape)}`);
  }

  override extraRepr(): string {
    return (
      `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, ` +
      `affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`
    );
  }
}

export class BatchNorm1d extends withSpatialDims(BatchNormNd, 1) {}
export class BatchNorm2d extends withSpatialDims(BatchNormNd, 2) {}
export class BatchNorm3d extends withSpatialDims(BatchNormNd, 3) {}
