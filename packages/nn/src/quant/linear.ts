// QuantLinear: nn.Linear with its input quantized per tensor and its weight per row (output
// feature) by default, as the reference's quant_linear.py.
import type * as tf from '@tensorflow/tfjs-core';
import { QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW } from '@pq/core';
import { Linear, type LinearOptions } from '../layers/linear.js';
import { linear } from '../functional/linear.js';
import { checkFeaturesLast } from '../layers/layer_input.js';
import { QuantMixin, type QuantWeightOptions } from './quant_mixin.js';

export interface QuantLinearOptions extends LinearOptions, QuantWeightOptions {}

type QuantLinearArgs = [inFeatures: number, outFeatures: number, o?: QuantLinearOptions];

export class QuantLinear extends QuantMixin<typeof Linear, QuantLinearArgs>(Linear, { weight: QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW }) {
  override forward(x: tf.Tensor): tf.Tensor {
    checkFeaturesLast(this, x, this.inFeatures);
    const qx = this._input_quantizer.call(x) as tf.Tensor;
    const qw = this._weight_quantizer.call(this.weight) as tf.Tensor;
    return linear(qx, qw, this.bias);
  }
}
