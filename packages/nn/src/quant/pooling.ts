// Quantized pooling (the reference's quant_pooling.py): the input is fake-quantized (per
// tensor by default), then the float pooling runs on it. No weights, so no weight quantizer.
import {
  AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AvgPool1d, AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d,
  type AdaptiveSize, type AvgPoolLayerOptions, type MaxPoolLayerOptions,
} from '../layers/pooling.js';
import type { QuantInputOptions } from './quant_mixin.js';
import { quantInputLayer } from './quant_layer.js';

type IntOrTuple = number | readonly number[];

export interface QuantMaxPoolOptions extends MaxPoolLayerOptions, QuantInputOptions {}
export interface QuantAvgPoolOptions extends AvgPoolLayerOptions, QuantInputOptions {}

type MaxPoolArgs = [kernelSize: IntOrTuple, o?: QuantMaxPoolOptions];
type AvgPoolArgs = [kernelSize: IntOrTuple, o?: QuantAvgPoolOptions];
type AdaptiveArgs = [outputSize: AdaptiveSize, o?: QuantInputOptions];

const POOL = { optionsAt: 1 };
/** Adaptive pooling takes no float options; the quant options are checked by the quant layer. */
const ADAPTIVE = { optionsAt: 1, floatTakesOptions: false };

export class QuantMaxPool1d extends quantInputLayer<typeof MaxPool1d, MaxPoolArgs>(MaxPool1d, POOL) {}
export class QuantMaxPool2d extends quantInputLayer<typeof MaxPool2d, MaxPoolArgs>(MaxPool2d, POOL) {}
export class QuantMaxPool3d extends quantInputLayer<typeof MaxPool3d, MaxPoolArgs>(MaxPool3d, POOL) {}

export class QuantAvgPool1d extends quantInputLayer<typeof AvgPool1d, AvgPoolArgs>(AvgPool1d, POOL) {}
export class QuantAvgPool2d extends quantInputLayer<typeof AvgPool2d, AvgPoolArgs>(AvgPool2d, POOL) {}
export class QuantAvgPool3d extends quantInputLayer<typeof AvgPool3d, AvgPoolArgs>(AvgPool3d, POOL) {}

export class QuantAdaptiveAvgPool1d extends quantInputLayer<typeof AdaptiveAvgPool1d, AdaptiveArgs>(AdaptiveAvgPool1d, ADAPTIVE) {}
export class QuantAdaptiveAvgPool2d extends quantInputLayer<typeof AdaptiveAvgPool2d, AdaptiveArgs>(AdaptiveAvgPool2d, ADAPTIVE) {}
export class QuantAdaptiveAvgPool3d extends quantInputLayer<typeof AdaptiveAvgPool3d, AdaptiveArgs>(AdaptiveAvgPool3d, ADAPTIVE) {}
