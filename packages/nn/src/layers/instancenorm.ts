// nn.InstanceNorm1d/2d/3d: defaults eps 1e-5, momentum 0.1, affine false, trackRunningStats false
// (the shared state is NormBase's).
import * as tf from '@tensorflow/tfjs-core';
import { instanceNorm } from '../functional/norm.js';
import { checkChannelsFirst } from './layer_input.js';
import { NormBase, type NormLayerOptions } from './norm_base.js';
import { withSpatialDims } from './spatial_dims.js';

export interface InstanceNormLayerOptions extends Omit<NormLayerOptions, 'momentum'> {
  /** Weight of each batch in the running statistics (default 0.1). */
  momentum?: number;
}

/** PyTorch's _InstanceNorm: affine and trackRunningStats default to false. */
export abstract class InstanceNormNd extends NormBase {
  declare readonly momentum: number;

  constructor(spatialDims: number, numFeatures: number, o: InstanceNormLayerOptions = {}) {
    if ((o as NormLayerOptions).momentum === null) throw new Error(`${new.target.name}: momentum must be a number (null, the cumulative average, is BatchNorm's)`);
    super(spatialDims, numFeatures, o, { affine: false, trackRunningStats: false });
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
}

export class InstanceNorm1d extends withSpatialDims(InstanceNormNd, 1) {}
export class InstanceNorm2d extends withSpatialDims(InstanceNormNd, 2) {}
export class InstanceNorm3d extends withSpatialDims(InstanceNormNd, 3) {}
