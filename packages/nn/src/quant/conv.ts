// QuantConv1d/2d/3d: convolutions with the input quantized per tensor and the weight per output
// channel (axis 0) by default, as the reference's quant_conv.py.
import * as tf from '@tensorflow/tfjs-core';
import {
  QUANT_DESC_8BIT_CONV1D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONV3D_WEIGHT_PER_CHANNEL,
} from '@pq/core';
import { Conv1d, Conv2d, Conv3d, type ConvLayerOptions, type ConvNd } from '../layers/conv.js';
import { checkChannelsFirst } from '../layers/layer_input.js';
import { QuantMixin, type QuantWeightMembers, type QuantWeightOptions } from './quant_mixin.js';
import { TensorQuantizer } from './tensor_quantizer.js';

type IntOrTuple = number | readonly number[];

export interface QuantConvOptions extends ConvLayerOptions, QuantWeightOptions {}

type ConvArgs = [inChannels: number, outChannels: number, kernelSize: IntOrTuple, o?: QuantConvOptions];

/**
 * Quantize input and weight, then convolve with the layer's geometry. Where the weight quantizer
 * is one fakeQuant op, the convolution applies it as it lays the weight out for its kernel (one
 * pass over the weight instead of two, each way): the same values and gradients.
 */
function quantConvForward(m: ConvNd & QuantWeightMembers, x: tf.Tensor): tf.Tensor {
  checkChannelsFirst(m, x, m.spatialDims, m.inChannels);
  return tf.tidy(() => {
    const qx = m._input_quantizer.call(x) as tf.Tensor;
    // ModelOpt-style configs may put another quantizer module there (a SequentialQuantizer).
    const q: unknown = m._weight_quantizer;
    const fused = q instanceof TensorQuantizer ? q.asFakeQuant(m.weight) : null;
    if (fused !== null) return m.convForward(qx, m.weight, m.bias, fused);
    return m.convForward(qx, m._weight_quantizer.call(m.weight) as tf.Tensor, m.bias);
  });
}

export class QuantConv1d extends QuantMixin<typeof Conv1d, ConvArgs>(Conv1d, { weight: QUANT_DESC_8BIT_CONV1D_WEIGHT_PER_CHANNEL }) {
  override forward(x: tf.Tensor): tf.Tensor {
    return quantConvForward(this, x);
  }
}

export class QuantConv2d extends QuantMixin<typeof Conv2d, ConvArgs>(Conv2d, { weight: QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL }) {
  override forward(x: tf.Tensor): tf.Tensor {
    return quantConvForward(this, x);
  }
}

export class QuantConv3d extends QuantMixin<typeof Conv3d, ConvArgs>(Conv3d, { weight: QUANT_DESC_8BIT_CONV3D_WEIGHT_PER_CHANNEL }) {
  override forward(x: tf.Tensor): tf.Tensor {
    return quantConvForward(this, x);
  }
}
