// nn.InstanceNorm1d/2d/3d: defaults eps 1e-5, momentum 0.1, affine false, trackRunningStats false.
import * as tf from '@tensorflow/tfjs-core';
import { Module, buffer, parameter } from '../module.js';
import { instanceNorm } from '../functional/norm.js';
import { checkOptions } from '@pq/core';
import { checkPositiveInt } from '../args.js';
import { pyBool, pyFloat } from '../py_repr.js';
import { checkChannelsFirst } from './layer_input.js';
import { optionKeysOf } from './option_keys.js';
import { withSpatialDims } from './spatial_dims.js';

export interface InstanceNormLayerOptions {
  eps?: number;
  momentum?: number;
  /** Learn a per-channel scale (`weight`, ones) and shift (`bias`, zeros). Default false. */
  affine?: boolean;
  /** Keep `running_mean` / `running_var` buffers and use them in eval mode. Default false. */
  trackRunningStats?: boolean;
}

/** PyTorch's _InstanceNorm. */
export abstract class InstanceNormNd extends Module {
  static optionKeys: readonly string[] = ['eps', 'momentum', 'affine', 'trackRunningStats'];
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: tf.Variable | null;
  bias: tf.Variable | null;
  running_mean: tf.Variable | null;
  running_var: tf.Variable | null;
  num_batches_tracked: tf.Variable | null;

  constructor(readonly spatialDims: number, numFeatures: number, o: InstanceNormLayerOptions = {}) {
    super();
    const name = this.typeName;
    checkOptions(name, o, optionKeysOf(this));
    this.numFeatures = checkPositiveInt(name, 'numFeatures', numFeatures);
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum ?? 0.1;
    if (!(this.eps > 0)) throw new Error(`${name}: eps must be positive, got ${this.eps}`);
    this.affine = o.affine ?? false;
    this.trackRunningStats = o.trackRunningStats ?? false;
    this.weight = this.affine ? parameter(tf.ones([numFeatures]), 'weight') : null;
    this.bias = this.affine ? parameter(tf.zeros([numFeatures]), 'bias') : null;
    this.running_mean = this.trackRunningStats ? buffer(tf.zeros([numFeatures]), 'running_mean') : null;
    this.running_var = this.trackRunningStats ? buffer(tf.ones([numFeatures]), 'running_var') : null;
    this.num_batches_tracked = this.trackRunningStats ? buffer(tf.scalar(0, 'int32'), 'num_batches_tracked') : null;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const unbatched = checkChannelsFirst(this, x, this.spatialDims, this.numFeatures);
    const run = (xb: tf.Tensor): tf.Tensor =>
      instanceNorm(xb, {
        runningMean: this.running_mean,
        runningVar: this.running_var,
        weight: this.weight,
        bias: this.bias,
        useInputStats: this.training || !this.trackRunningStats,
        momentum: this.momentum,
        eps: this.eps,
      });
    return unbatched ? tf.tidy(() => tf.squeeze(run(tf.expandDims(x, 0)), [0])) : run(x);
  }

  override extraRepr(): string {
    return (
      `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, ` +
      `affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`
    );
  }
}

export class InstanceNorm1d extends withSpatialDims(InstanceNormNd, 1) {}
export class InstanceNorm2d extends withSpatialDims(InstanceNormNd, 2) {}
export class InstanceNorm3d extends withSpatialDims(InstanceNormNd, 3) {}
