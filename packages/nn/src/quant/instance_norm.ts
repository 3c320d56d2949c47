// QuantInstanceNorm1d/2d/3d (the reference's quant_instancenorm.py): the input is
// fake-quantized (per tensor by default), then the float instance norm runs on it.
import type * as tf from '@tensorflow/tfjs-core';
import { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, type InstanceNormLayerOptions } from '../layers/instancenorm.js';
import { QuantMixin, quantizeChannelsFirst, type QuantInputOptions } from './quant_mixin.js';

export interface QuantInstanceNormOptions extends InstanceNormLayerOptions, QuantInputOptions {}

type Args = [numFeatures: number, o?: QuantInstanceNormOptions];

export class QuantInstanceNorm1d extends QuantMixin<typeof InstanceNorm1d, Args>(InstanceNorm1d) {
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizeChannelsFirst(this, x, this.numFeatures));
  }
}

export class QuantInstanceNorm2d extends QuantMixin<typeof InstanceNorm2d, Args>(InstanceNorm2d) {
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizeChannelsFirst(this, x, this.numFeatures));
  }
}

export class QuantInstanceNorm3d extends QuantMixin<typeof InstanceNorm3d, Args>(InstanceNorm3d) {
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizeChannelsFirst(this, x, this.numFeatures));
  }
}
