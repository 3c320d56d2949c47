// QuantLinear: nn.Linear with its input quantized per tensor and its weight per row (output
// feature) by default, as the reference's quant_linear.py.
import type * as tf from '@tensorflow/tfjs-core';
import { QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW, QUANT_DESC_8BIT_PER_TENSOR } from '@pq/core';
import { Linear, type LinearOptions } from '../layers/linear.js';
import { linear } from '../functional/linear.js';
import { layerName } from '../layers/layer_input.js';
import { shapeStr } from '../layers/options.js';
import { QuantMixin, makeQuantizer, splitQuantOptions, type QuantWeightOptions } from './quant_mixin.js';

export interface QuantLinearOptions extends LinearOptions, QuantWeightOptions {}

export class QuantLinear extends QuantMixin(Linear, QUANT_DESC_8BIT_PER_TENSOR, QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW) {
  static override optionKeys: readonly string[] = [...Linear.optionKeys, 'quantDescInput', 'quantDescWeight'];

  constructor(inFeatures: number, outFeatures: number, o: QuantLinearOptions = {}) {
    const { input, weight } = splitQuantOptions(new.target, o, true);
    super(inFeatures, outFeatures, o);
    this._input_quantizer = makeQuantizer(input);
    this._weight_quantizer = makeQuantizer(weight!);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new Error(`${layerName(this)}: expected input [..., ${this.inFeatures}], got shape ${shapeStr(x.shape)}`);
    }
    const qx = this._input_quantizer.call(x) as tf.Tensor;
    const qw = this._weight_quantizer.call(this.weight) as tf.Tensor;
    return linear(qx, qw, this.bias);
  }
}
