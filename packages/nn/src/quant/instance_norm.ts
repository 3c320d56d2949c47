// QuantInstanceNorm1d/2d/3d (the reference's quant_instancenorm.py): the input is
// fake-quantized (per tensor by default), then the float instance norm runs on it.
import type * as tf from '@tensorflow/tfjs-core';
import { QUANT_DESC_8BIT_PER_TENSOR } from '@pq/core';
import {
  InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, InstanceNormNd, type InstanceNormLayerOptions,
} from '../layers/instancenorm.js';
import { checkChannelsFirst } from '../layers/layer_input.js';
import { QuantInputMixin, makeQuantizer, splitQuantOptions, type QuantInputOptions } from './quant_mixin.js';

export interface QuantInstanceNormOptions extends InstanceNormLayerOptions, QuantInputOptions {}

const KEYS = [...InstanceNormNd.optionKeys, 'quantDescInput'];

export class QuantInstanceNorm1d extends QuantInputMixin(InstanceNorm1d, QUANT_DESC_8BIT_PER_TENSOR) {
  static override optionKeys: readonly string[] = KEYS;
  constructor(numFeatures: number, o: QuantInstanceNormOptions = {}) {
    const { input } = splitQuantOptions(new.target, o, false);
    super(numFeatures, o);
    this._input_quantizer = makeQuantizer(input);
  }
  override forward(x: tf.Tensor): tf.Tensor {
    checkChannelsFirst(this, x, this.spatialDims, this.numFeatures);
    return super.forward(this._input_quantizer.call(x) as tf.Tensor);
  }
}

export class QuantInstanceNorm2d extends QuantInputMixin(InstanceNorm2d, QUANT_DESC_8BIT_PER_TENSOR) {
  static override optionKeys: readonly string[] = KEYS;
  constructor(numFeatures: number, o: QuantInstanceNormOptions = {}) {
    const { input } = splitQuantOptions(new.target, o, false);
    super(numFeatures, o);
    this._input_quantizer = makeQuantizer(input);
  }
  override forward(x: tf.Tensor): tf.Tensor {
    checkChannelsFirst(this, x, this.spatialDims, this.numFeatures);
    return super.forward(this._input_quantizer.call(x) as tf.Tensor);
  }
}

export class QuantInstanceNorm3d extends QuantInputMixin(InstanceNorm3d, QUANT_DESC_8BIT_PER_TENSOR) {
  static override optionKeys: readonly string[] = KEYS;
  constructor(numFeatures: number, o: QuantInstanceNormOptions = {}) {
    const { input } = splitQuantOptions(new.target, o, false);
    super(numFeatures, o);
    this._input_quantizer = makeQuantizer(input);
  }
  override forward(x: tf.Tensor): tf.Tensor {
    checkChannelsFirst(this, x, this.spatialDims, this.numFeatures);
    return super.forward(this._input_quantizer.call(x) as tf.Tensor);
  }
}
