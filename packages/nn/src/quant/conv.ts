// QuantConv1d/2d/3d: convolutions with the input quantized per tensor and the weight per output
// channel (axis 0) by default, as the reference's quant_conv.py.
import type * as tf from '@tensorflow/tfjs-core';
import {
  QUANT_DESC_8BIT_CONV1D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONV3D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_PER_TENSOR,
} from '@pq/core';
import { Conv1d, Conv2d, Conv3d, ConvNd, type ConvLayerOptions } from '../layers/conv.js';
import { checkChannelsFirst } from '../layers/layer_input.js';
import { QuantMixin, makeQuantizer, splitQuantOptions, type QuantWeightOptions } from './quant_mixin.js';

type IntOrTuple = number | readonly number[];

export interface QuantConvOptions extends ConvLayerOptions, QuantWeightOptions {}

const CONV_QUANT_KEYS = [...ConvNd.optionKeys, 'quantDescInput', 'quantDescWeight'];

/** Quantize input and weight, then convolve with the float layer's geometry. */
function quantConvForward(m: QuantConv1d | QuantConv2d | QuantConv3d, x: tf.Tensor): tf.Tensor {
  checkChannelsFirst(m, x, m.spatialDims, m.inChannels);
  const qx = m._input_quantizer.call(x) as tf.Tensor;
  const qw = m._weight_quantizer.call(m.weight) as tf.Tensor;
  return m.convForward(qx, qw, m.bias);
}

export class QuantConv1d extends QuantMixin(Conv1d, QUANT_DESC_8BIT_PER_TENSOR, QUANT_DESC_8BIT_CONV1D_WEIGHT_PER_CHANNEL) {
  static override optionKeys: readonly string[] = CONV_QUANT_KEYS;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, o: QuantConvOptions = {}) {
    const { input, weight } = splitQuantOptions(new.target, o, true);
    super(inChannels, outChannels, kernelSize, o);
    this._input_quantizer = makeQuantizer(input);
    this._weight_quantizer = makeQuantizer(weight!);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return quantConvForward(this, x);
  }
}

export class QuantConv2d extends QuantMixin(Conv2d, QUANT_DESC_8BIT_PER_TENSOR, QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL) {
  static override optionKeys: readonly string[] = CONV_QUANT_KEYS;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, o: QuantConvOptions = {}) {
    const { input, weight } = splitQuantOptions(new.target, o, true);
    super(inChannels, outChannels, kernelSize, o);
    this._input_quantizer = makeQuantizer(input);
    this._weight_quantizer = makeQuantizer(weight!);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return quantConvForward(this, x);
  }
}

export class QuantConv3d extends QuantMixin(Conv3d, QUANT_DESC_8BIT_PER_TENSOR, QUANT_DESC_8BIT_CONV3D_WEIGHT_PER_CHANNEL) {
  static override optionKeys: readonly string[] = CONV_QUANT_KEYS;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, o: QuantConvOptions = {}) {
    const { input, weight } = splitQuantOptions(new.target, o, true);
    super(inChannels, outChannels, kernelSize, o);
    this._input_quantizer = makeQuantizer(input);
    this._weight_quantizer = makeQuantizer(weight!);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return quantConvForward(this, x);
  }
}
