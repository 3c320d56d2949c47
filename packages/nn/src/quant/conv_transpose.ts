// QuantConvTranspose1d/2d/3d: transposed convolutions with the input quantized per tensor and
// the weight ([in, out/groups, k...]) per output channel, i.e. axis 1, by default. The float
// layer's forward keeps its checks and outputSize handling; the quant layer swaps in the
// quantized input and, through convTransposeForward, the quantized weight.
import type * as tf from '@tensorflow/tfjs-core';
import {
  QUANT_DESC_8BIT_CONVTRANSPOSE1D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONVTRANSPOSE2D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONVTRANSPOSE3D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_PER_TENSOR,
} from '@pq/core';
import {
  ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, ConvTransposeNd, type ConvTransposeLayerOptions,
} from '../layers/conv.js';
import { checkChannelsFirst } from '../layers/layer_input.js';
import { QuantMixin, makeQuantizer, splitQuantOptions, type QuantWeightOptions } from './quant_mixin.js';

type IntOrTuple = number | readonly number[];

export interface QuantConvTransposeOptions extends ConvTransposeLayerOptions, QuantWeightOptions {}

const CONV_T_QUANT_KEYS = [...ConvTransposeNd.optionKeys, 'quantDescInput', 'quantDescWeight'];

export class QuantConvTranspose1d extends QuantMixin(ConvTranspose1d, QUANT_DESC_8BIT_PER_TENSOR, QUANT_DESC_8BIT_CONVTRANSPOSE1D_WEIGHT_PER_CHANNEL) {
  static override optionKeys: readonly string[] = CONV_T_QUANT_KEYS;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, o: QuantConvTransposeOptions = {}) {
    const { input, weight } = splitQuantOptions(new.target, o, true);
    super(inChannels, outChannels, kernelSize, o);
    this._input_quantizer = makeQuantizer(input);
    this._weight_quantizer = makeQuantizer(weight!);
  }

  /** The float forward (checks, outputSize) on the quantized input; the weight is quantized below. */
  override forward(x: tf.Tensor, outputSize?: readonly number[]): tf.Tensor {
    checkChannelsFirst(this, x, this.spatialDims, this.inChannels);
    return super.forward(this._input_quantizer.call(x) as tf.Tensor, outputSize);
  }

  /** The transposed convolution on the weight quantizer's output for `weight`. */
  override convTransposeForward(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null, outputPadding?: number[]): tf.Tensor {
    return super.convTransposeForward(x, this._weight_quantizer.call(weight) as tf.Tensor, bias, outputPadding);
  }
}

export class QuantConvTranspose2d extends QuantMixin(ConvTranspose2d, QUANT_DESC_8BIT_PER_TENSOR, QUANT_DESC_8BIT_CONVTRANSPOSE2D_WEIGHT_PER_CHANNEL) {
  static override optionKeys: readonly string[] = CONV_T_QUANT_KEYS;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, o: QuantConvTransposeOptions = {}) {
    const { input, weight } = splitQuantOptions(new.target, o, true);
    super(inChannels, outChannels, kernelSize, o);
    this._input_quantizer = makeQuantizer(input);
    this._weight_quantizer = makeQuantizer(weight!);
  }

  /** The float forward (checks, outputSize) on the quantized input; the weight is quantized below. */
  override forward(x: tf.Tensor, outputSize?: readonly number[]): tf.Tensor {
    checkChannelsFirst(this, x, this.spatialDims, this.inChannels);
    return super.forward(this._input_quantizer.call(x) as tf.Tensor, outputSize);
  }

  /** The transposed convolution on the weight quantizer's output for `weight`. */
  override convTransposeForward(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null, outputPadding?: number[]): tf.Tensor {
    return super.convTransposeForward(x, this._weight_quantizer.call(weight) as tf.Tensor, bias, outputPadding);
  }
}

export class QuantConvTranspose3d extends QuantMixin(ConvTranspose3d, QUANT_DESC_8BIT_PER_TENSOR, QUANT_DESC_8BIT_CONVTRANSPOSE3D_WEIGHT_PER_CHANNEL) {
  static override optionKeys: readonly string[] = CONV_T_QUANT_KEYS;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, o: QuantConvTransposeOptions = {}) {
    const { input, weight } = splitQuantOptions(new.target, o, true);
    super(inChannels, outChannels, kernelSize, o);
    this._input_quantizer = makeQuantizer(input);
    this._weight_quantizer = makeQuantizer(weight!);
  }

  /** The float forward (checks, outputSize) on the quantized input; the weight is quantized below. */
  override forward(x: tf.Tensor, outputSize?: readonly number[]): tf.Tensor {
    checkChannelsFirst(this, x, this.spatialDims, this.inChannels);
    return super.forward(this._input_quantizer.call(x) as tf.Tensor, outputSize);
  }

  /** The transposed convolution on the weight quantizer's output for `weight`. */
  override convTransposeForward(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null, outputPadding?: number[]): tf.Tensor {
    return super.convTransposeForward(x, this._weight_quantizer.call(weight) as tf.Tensor, bias, outputPadding);
  }
}
