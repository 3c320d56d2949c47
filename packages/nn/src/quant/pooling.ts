// Quantized pooling (the reference's quant_pooling.py): the input is fake-quantized (per
// tensor by default), then the float pooling runs on it. No weights, so no weight quantizer.
import type * as tf from '@tensorflow/tfjs-core';
import {
  AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AvgPool1d, AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d,
  type AdaptiveSize, type AvgPoolLayerOptions, type MaxPoolLayerOptions,
} from '../layers/pooling.js';
import { QuantMixin, quantizeChannelsFirst, type QuantInputOptions } from './quant_mixin.js';

type IntOrTuple = number | readonly number[];

export interface QuantMaxPoolOptions extends MaxPoolLayerOptions, QuantInputOptions {}
export interface QuantAvgPoolOptions extends AvgPoolLayerOptions, QuantInputOptions {}

type MaxPoolArgs = [kernelSize: IntOrTuple, o?: QuantMaxPoolOptions];
type AvgPoolArgs = [kernelSize: IntOrTuple, o?: QuantAvgPoolOptions];
/** Adaptive pooling takes no float options, only the quant ones. */
type AdaptiveArgs = [outputSize: AdaptiveSize, o?: QuantInputOptions];

export class QuantMaxPool1d extends QuantMixin<typeof MaxPool1d, MaxPoolArgs>(MaxPool1d) {
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizeChannelsFirst(this, x));
  }
}

export class QuantMaxPool2d extends QuantMixin<typeof MaxPool2d, MaxPoolArgs>(MaxPool2d) {
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizeChannelsFirst(this, x));
  }
}

export class QuantMaxPool3d extends QuantMixin<typeof MaxPool3d, MaxPoolArgs>(MaxPool3d) {
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizeChannelsFirst(this, x));
  }
}

export class QuantAvgPool1d extends QuantMixin<typeof AvgPool1d, AvgPoolArgs>(AvgPool1d) {
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizeChannelsFirst(this, x));
  }
}

export class QuantAvgPool2d extends QuantMixin<typeof AvgPool2d, AvgPoolArgs>(AvgPool2d) {
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizeChannelsFirst(this, x));
  }
}

export class QuantAvgPool3d extends QuantMixin<typeof AvgPool3d, AvgPoolArgs>(AvgPool3d) {
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizeChannelsFirst(this, x));
  }
}

export class QuantAdaptiveAvgPool1d extends QuantMixin<typeof AdaptiveAvgPool1d, AdaptiveArgs>(AdaptiveAvgPool1d) {
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizeChannelsFirst(this, x));
  }
}

export class QuantAdaptiveAvgPool2d extends QuantMixin<typeof AdaptiveAvgPool2d, AdaptiveArgs>(AdaptiveAvgPool2d) {
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizeChannelsFirst(this, x));
  }
}

export class QuantAdaptiveAvgPool3d extends QuantMixin<typeof AdaptiveAvgPool3d, AdaptiveArgs>(AdaptiveAvgPool3d) {
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizeChannelsFirst(this, x));
  }
}
