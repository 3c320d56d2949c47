// QuantConvTranspose1d/2d/3d: transposed convolutions with the input quantized per tensor and
// the weight ([in, out/groups, k...]) per output channel, i.e. axis 1, by default. The float
// layer's forward keeps its checks and outputSize handling; the quant layer swaps in the
// quantized input and, through convTransposeForward, the quantized weight.
import type * as tf from '@tensorflow/tfjs-core';
import type { QuantDescriptor } from '@pq/core';
import {
  QUANT_DESC_8BIT_CONVTRANSPOSE1D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONVTRANSPOSE2D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONVTRANSPOSE3D_WEIGHT_PER_CHANNEL,
} from '@pq/core';
import {
  ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, type ConvTransposeLayerOptions, type ConvTransposeNd,
} from '../layers/conv.js';
import { checkChannelsFirst } from '../layers/layer_input.js';
import type { ModuleClass, QuantWeightOptions } from './quant_mixin.js';
import { quantLayer, type QuantWeightLayerClass } from './quant_layer.js';

type IntOrTuple = number | readonly number[];

export interface QuantConvTransposeOptions extends ConvTransposeLayerOptions, QuantWeightOptions {}

type ConvTArgs = [inChannels: number, outChannels: number, kernelSize: IntOrTuple, o?: QuantConvTransposeOptions];
type ConvTClass = ModuleClass<ConvTransposeNd> & { optionKeys: readonly string[] };

/** The quantized version of a ConvTranspose class. */
function quantConvTranspose<TBase extends ConvTClass>(Base: TBase, weight: QuantDescriptor): QuantWeightLayerClass<TBase, ConvTArgs> {
  class QuantConvTranspose extends quantLayer(Base, { optionsAt: 3, weight }) {
    /** The float forward (checks, outputSize) on the quantized input; the weight is quantized below. */
    override forward(x: tf.Tensor, outputSize?: readonly number[]): tf.Tensor {
      checkChannelsFirst(this, x, this.spatialDims, this.inChannels);
      return super.forward(this._input_quantizer.call(x) as tf.Tensor, outputSize);
    }

    /** The transposed convolution on the weight quantizer's output for `weight`. */
    override convTransposeForward(x: tf.Tensor, w: tf.Tensor, bias: tf.Tensor | null, outputPadding?: number[]): tf.Tensor {
      return super.convTransposeForward(x, this._weight_quantizer.call(w) as tf.Tensor, bias, outputPadding);
    }
  }
  return QuantConvTranspose as unknown as QuantWeightLayerClass<TBase, ConvTArgs>;
}

export class QuantConvTranspose1d extends quantConvTranspose(ConvTranspose1d, QUANT_DESC_8BIT_CONVTRANSPOSE1D_WEIGHT_PER_CHANNEL) {}
export class QuantConvTranspose2d extends quantConvTranspose(ConvTranspose2d, QUANT_DESC_8BIT_CONVTRANSPOSE2D_WEIGHT_PER_CHANNEL) {}
export class QuantConvTranspose3d extends quantConvTranspose(ConvTranspose3d, QUANT_DESC_8BIT_CONVTRANSPOSE3D_WEIGHT_PER_CHANNEL) {}
