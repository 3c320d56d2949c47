// QuantConvTranspose1d/2d/3d: transposed convolutions with the input quantized per tensor and
// the weight ([in, out/groups, k...]) per output channel, i.e. axis 1, by default. The float
// forward keeps its checks and outputSize handling and calls convTransposeForward, which the
// quant layer overrides to quantize the input and the weight first.
import type * as tf from '@tensorflow/tfjs-core';
import {
  QUANT_DESC_8BIT_CONVTRANSPOSE1D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONVTRANSPOSE2D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONVTRANSPOSE3D_WEIGHT_PER_CHANNEL,
} from '@pq/core';
import { ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, type ConvTransposeLayerOptions } from '../layers/conv.js';
import { QuantMixin, type QuantWeightOptions } from './quant_mixin.js';

type IntOrTuple = number | readonly number[];

export interface QuantConvTransposeOptions extends ConvTransposeLayerOptions, QuantWeightOptions {}

type ConvTArgs = [inChannels: number, outChannels: number, kernelSize: IntOrTuple, o?: QuantConvTransposeOptions];

export class QuantConvTranspose1d extends QuantMixin<typeof ConvTranspose1d, ConvTArgs>(ConvTranspose1d, {
  weight: QUANT_DESC_8BIT_CONVTRANSPOSE1D_WEIGHT_PER_CHANNEL,
}) {
  override convTransposeForward(x: tf.Tensor, w: tf.Tensor, bias: tf.Tensor | null, outputPadding?: number[]): tf.Tensor {
    return super.convTransposeForward(this._input_quantizer.call(x) as tf.Tensor, this._weight_quantizer.call(w) as tf.Tensor, bias, outputPadding);
  }
}

export class QuantConvTranspose2d extends QuantMixin<typeof ConvTranspose2d, ConvTArgs>(ConvTranspose2d, {
  weight: QUANT_DESC_8BIT_CONVTRANSPOSE2D_WEIGHT_PER_CHANNEL,
}) {
  override convTransposeForward(x: tf.Tensor, w: tf.Tensor, bias: tf.Tensor | null, outputPadding?: number[]): tf.Tensor {
    return super.convTransposeForward(this._input_quantizer.call(x) as tf.Tensor, this._weight_quantizer.call(w) as tf.Tensor, bias, outputPadding);
  }
}

export class QuantConvTranspose3d extends QuantMixin<typeof ConvTranspose3d, ConvTArgs>(ConvTranspose3d, {
  weight: QUANT_DESC_8BIT_CONVTRANSPOSE3D_WEIGHT_PER_CHANNEL,
}) {
  override convTransposeForward(x: tf.Tensor, w: tf.Tensor, bias: tf.Tensor | null, outputPadding?: number[]): tf.Tensor {
    return super.convTransposeForward(this._input_quantizer.call(x) as tf.Tensor, this._weight_quantizer.call(w) as tf.Tensor, bias, outputPadding);
  }
}
