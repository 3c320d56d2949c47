// QuantConv1d/2d/3d: convolutions with the input quantized per tensor and the weight per output
// channel (axis 0) by default, as the reference's quant_conv.py.
import type * as tf from '@tensorflow/tfjs-core';
import type { QuantDescriptor } from '@pq/core';
import {
  QUANT_DESC_8BIT_CONV1D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONV3D_WEIGHT_PER_CHANNEL,
} from '@pq/core';
import { Conv1d, Conv2d, Conv3d, type ConvLayerOptions, type ConvNd } from '../layers/conv.js';
import { checkChannelsFirst } from '../layers/layer_input.js';
import type { ModuleClass, QuantWeightOptions } from './quant_mixin.js';
import { quantLayer, type QuantWeightLayerClass } from './quant_layer.js';

type IntOrTuple = number | readonly number[];

export interface QuantConvOptions extends ConvLayerOptions, QuantWeightOptions {}

type ConvArgs = [inChannels: number, outChannels: number, kernelSize: IntOrTuple, o?: QuantConvOptions];
type ConvClass = ModuleClass<ConvNd> & { optionKeys: readonly string[] };

/** The quantized version of a Conv class: quantize input and weight, then convolve with its geometry. */
function quantConv<TBase extends ConvClass>(Base: TBase, weight: QuantDescriptor): QuantWeightLayerClass<TBase, ConvArgs> {
  class QuantConv extends quantLayer(Base, { optionsAt: 3, weight }) {
    override forward(x: tf.Tensor): tf.Tensor {
      checkChannelsFirst(this, x, this.spatialDims, this.inChannels);
      const qx = this._input_quantizer.call(x) as tf.Tensor;
      const qw = this._weight_quantizer.call(this.weight) as tf.Tensor;
      return this.convForward(qx, qw, this.bias);
    }
  }
  return QuantConv as unknown as QuantWeightLayerClass<TBase, ConvArgs>;
}

export class QuantConv1d extends quantConv(Conv1d, QUANT_DESC_8BIT_CONV1D_WEIGHT_PER_CHANNEL) {}
export class QuantConv2d extends quantConv(Conv2d, QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL) {}
export class QuantConv3d extends quantConv(Conv3d, QUANT_DESC_8BIT_CONV3D_WEIGHT_PER_CHANNEL) {}
