// nn.BatchNorm1d/2d/3d: defaults eps 1e-5, momentum 0.1 (null: cumulative moving average),
// affine true, trackRunningStats true; buffers running_mean, running_var and
// num_batches_tracked (int64 in state dicts) with PyTorch's names and order.
import * as tf from '@tensorflow/tfjs-core';
import { batchNorm } from '../functional/norm.js';
import { formatShape } from '@pq/core';
import { spatialDimNames } from '../args.js';
import { layerName } from './layer_input.js';
import { NormBase, type NormLayerOptions } from './norm_base.js';
import { withSpatialDims } from './spatial_dims.js';

export type BatchNormLayerOptions = NormLayerOptions;

/** PyTorch's _BatchNorm: affine and trackRunningStats default to true. */
export abstract class BatchNormNd extends NormBase {
  constructor(spatialDims: number, numFeatures: number, o: BatchNormLayerOptions = {}) {
    super(spatialDims, numFeatures, o, { affine: true, trackRunningStats: true });
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
}

export class BatchNorm1d extends withSpatialDims(BatchNormNd, 1) {}
export class BatchNorm2d extends withSpatialDims(BatchNormNd, 2) {}
export class BatchNorm3d extends withSpatialDims(BatchNormNd, 3) {}
