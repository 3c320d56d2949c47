// Quantized pooling (the reference's quant_pooling.py): the input is fake-quantized (per
// tensor by default), then the float pooling runs on it. No weights, so no weight quantizer.
import type * as tf from '@tensorflow/tfjs-core';
import { QUANT_DESC_8BIT_PER_TENSOR } from '@pq/core';
import {
  AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AvgPool1d, AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d,
  type AdaptiveSize, type AvgPoolLayerOptions, type MaxPoolLayerOptions,
} from '../layers/pooling.js';
import { checkChannelsFirst } from '../layers/layer_input.js';
import { checkOptions } from '../layers/options.js';
import { QuantInputMixin, makeQuantizer, splitQuantOptions, type QuantInputOptions } from './quant_mixin.js';

type IntOrTuple = number | readonly number[];

export interface QuantMaxPoolOptions extends MaxPoolLayerOptions, QuantInputOptions {}
export interface QuantAvgPoolOptions extends AvgPoolLayerOptions, QuantInputOptions {}

interface PoolLike {
  spatialDims: number;
  _input_quantizer: { call(x: tf.Tensor): unknown };
}

/** Checks the input (so errors name the quant layer), then quantizes it for the float pooling. */
function quantizedInput(m: PoolLike & Parameters<typeof checkChannelsFirst>[0], x: tf.Tensor): tf.Tensor {
  checkChannelsFirst(m, x, m.spatialDims);
  return m._input_quantizer.call(x) as tf.Tensor;
}

const withQuantKeys = (keys: readonly string[]): readonly string[] => [...keys, 'quantDescInput'];

export class QuantMaxPool1d extends QuantInputMixin(MaxPool1d, QUANT_DESC_8BIT_PER_TENSOR) {
  static override optionKeys = withQuantKeys(MaxPool1d.optionKeys);
  constructor(kernelSize: IntOrTuple, o: QuantMaxPoolOptions = {}) {
    const { input } = splitQuantOptions(new.target, o, false);
    super(kernelSize, o);
    this._input_quantizer = makeQuantizer(input);
  }
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizedInput(this, x));
  }
}

export class QuantMaxPool2d extends QuantInputMixin(MaxPool2d, QUANT_DESC_8BIT_PER_TENSOR) {
  static override optionKeys = withQuantKeys(MaxPool2d.optionKeys);
  constructor(kernelSize: IntOrTuple, o: QuantMaxPoolOptions = {}) {
    const { input } = splitQuantOptions(new.target, o, false);
    super(kernelSize, o);
    this._input_quantizer = makeQuantizer(input);
  }
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizedInput(this, x));
  }
}

export class QuantMaxPool3d extends QuantInputMixin(MaxPool3d, QUANT_DESC_8BIT_PER_TENSOR) {
  static override optionKeys = withQuantKeys(MaxPool3d.optionKeys);
  constructor(kernelSize: IntOrTuple, o: QuantMaxPoolOptions = {}) {
    const { input } = splitQuantOptions(new.target, o, false);
    super(kernelSize, o);
    this._input_quantizer = makeQuantizer(input);
  }
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizedInput(this, x));
  }
}

export class QuantAvgPool1d extends QuantInputMixin(AvgPool1d, QUANT_DESC_8BIT_PER_TENSOR) {
  static override optionKeys = withQuantKeys(AvgPool1d.optionKeys);
  constructor(kernelSize: IntOrTuple, o: QuantAvgPoolOptions = {}) {
    const { input } = splitQuantOptions(new.target, o, false);
    super(kernelSize, o);
    this._input_quantizer = makeQuantizer(input);
  }
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizedInput(this, x));
  }
}

export class QuantAvgPool2d extends QuantInputMixin(AvgPool2d, QUANT_DESC_8BIT_PER_TENSOR) {
  static override optionKeys = withQuantKeys(AvgPool2d.optionKeys);
  constructor(kernelSize: IntOrTuple, o: QuantAvgPoolOptions = {}) {
    const { input } = splitQuantOptions(new.target, o, false);
    super(kernelSize, o);
    this._input_quantizer = makeQuantizer(input);
  }
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizedInput(this, x));
  }
}

export class QuantAvgPool3d extends QuantInputMixin(AvgPool3d, QUANT_DESC_8BIT_PER_TENSOR) {
  static override optionKeys = withQuantKeys(AvgPool3d.optionKeys);
  constructor(kernelSize: IntOrTuple, o: QuantAvgPoolOptions = {}) {
    const { input } = splitQuantOptions(new.target, o, false);
    super(kernelSize, o);
    this._input_quantizer = makeQuantizer(input);
  }
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizedInput(this, x));
  }
}

/** Adaptive pooling takes no float options; the quant options are checked here. */
function adaptiveInput(name: string, cls: Parameters<typeof splitQuantOptions>[0], o: QuantInputOptions) {
  checkOptions(name, o, ['quantDescInput']);
  return splitQuantOptions(cls, o, false).input;
}

export class QuantAdaptiveAvgPool1d extends QuantInputMixin(AdaptiveAvgPool1d, QUANT_DESC_8BIT_PER_TENSOR) {
  constructor(outputSize: AdaptiveSize, o: QuantInputOptions = {}) {
    const input = adaptiveInput(new.target.name, new.target, o);
    super(outputSize);
    this._input_quantizer = makeQuantizer(input);
  }
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizedInput(this, x));
  }
}

export class QuantAdaptiveAvgPool2d extends QuantInputMixin(AdaptiveAvgPool2d, QUANT_DESC_8BIT_PER_TENSOR) {
  constructor(outputSize: AdaptiveSize, o: QuantInputOptions = {}) {
    const input = adaptiveInput(new.target.name, new.target, o);
    super(outputSize);
    this._input_quantizer = makeQuantizer(input);
  }
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizedInput(this, x));
  }
}

export class QuantAdaptiveAvgPool3d extends QuantInputMixin(AdaptiveAvgPool3d, QUANT_DESC_8BIT_PER_TENSOR) {
  constructor(outputSize: AdaptiveSize, o: QuantInputOptions = {}) {
    const input = adaptiveInput(new.target.name, new.target, o);
    super(outputSize);
    this._input_quantizer = makeQuantizer(input);
  }
  override forward(x: tf.Tensor): tf.Tensor {
    return super.forward(quantizedInput(this, x));
  }
}
