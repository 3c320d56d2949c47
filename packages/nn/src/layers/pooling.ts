// nn.MaxPool1d-3d, nn.AvgPool1d-3d and nn.AdaptiveAvgPool1d-3d with PyTorch's defaults
// (stride = kernel size, no padding, countIncludePad true, ceilMode false).
import type * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';
import { adaptiveAvgPoolNd, avgPoolNd, maxPoolNd } from '../functional/pooling.js';
import { checkOptions } from '@pq/core';
import { nTuple } from '../args.js';
import { pyBool, pyValue } from '../py_repr.js';
import { checkChannelsFirst } from './layer_input.js';
import { optionKeysOf } from './option_keys.js';
import { withSpatialDims } from './spatial_dims.js';

type IntOrTuple = number | readonly number[];

export interface MaxPoolLayerOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  /** Not supported; only false is accepted. */
  returnIndices?: boolean;
  ceilMode?: boolean;
}

export interface AvgPoolLayerOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/** PyTorch's _MaxPoolNd: settings kept as given (stride defaults to the kernel size). */
export abstract class MaxPoolNd extends Module {
  static optionKeys: readonly string[] = ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'];
  readonly kernelSize: IntOrTuple;
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly dilation: IntOrTuple;
  readonly returnIndices: boolean;
  readonly ceilMode: boolean;

  constructor(readonly spatialDims: number, kernelSize: IntOrTuple, o: MaxPoolLayerOptions = {}) {
    super();
    const name = this.typeName;
    checkOptions(name, o, optionKeysOf(this));
    nTuple(name, 'kernelSize', kernelSize, spatialDims, 1);
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.returnIndices = o.returnIndices ?? false;
    if (this.returnIndices) throw new Error(`${name}: returnIndices is not supported`);
    this.ceilMode = o.ceilMode ?? false;
    nTuple(name, 'stride', this.stride, spatialDims, 1);
    nTuple(name, 'padding', this.padding, spatialDims, 0);
    nTuple(name, 'dilation', this.dilation, spatialDims, 1);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    checkChannelsFirst(this, x, this.spatialDims);
    const o = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return maxPoolNd(`maxPool${this.spatialDims}d`, this.spatialDims, x, this.kernelSize, o);
  }

  override extraRepr(): string {
    return (
      `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}, padding=${pyValue(this.padding)}, ` +
      `dilation=${pyValue(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`
    );
  }
}

export class MaxPool1d extends withSpatialDims(MaxPoolNd, 1) {}
export class MaxPool2d extends withSpatialDims(MaxPoolNd, 2) {}
export class MaxPool3d extends withSpatialDims(MaxPoolNd, 3) {}

/** PyTorch's _AvgPoolNd. AvgPool1d keeps its settings as 1-tuples, as PyTorch does. */
export abstract class AvgPoolNd extends Module {
  static optionKeys: readonly string[] = ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'];
  readonly kernelSize: IntOrTuple;
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(readonly spatialDims: number, kernelSize: IntOrTuple, o: AvgPoolLayerOptions = {}) {
    super();
    const name = this.typeName;
    checkOptions(name, o, optionKeysOf(this));
    const asGiven = (v: IntOrTuple, what: string, min: number): IntOrTuple => {
      const t = nTuple(name, what, v, spatialDims, min);
      return spatialDims === 1 ? t : v;
    };
    this.kernelSize = asGiven(kernelSize, 'kernelSize', 1);
    this.stride = asGiven(o.stride ?? kernelSize, 'stride', 1);
    this.padding = asGiven(o.padding ?? 0, 'padding', 0);
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    checkChannelsFirst(this, x, this.spatialDims);
    const o = {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    };
    return avgPoolNd(`avgPool${this.spatialDims}d`, this.spatialDims, x, this.kernelSize, o);
  }

  override extraRepr(): string {
    return `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}, padding=${pyValue(this.padding)}`;
  }
}

export class AvgPool1d extends withSpatialDims(AvgPoolNd, 1) {
  // PyTorch's AvgPool1d has no divisor_override.
  static override optionKeys: readonly string[] = ['stride', 'padding', 'ceilMode', 'countIncludePad'];
}

export class AvgPool2d extends withSpatialDims(AvgPoolNd, 2) {}
export class AvgPool3d extends withSpatialDims(AvgPoolNd, 3) {}

export type AdaptiveSize = number | ReadonlyArray<number | null>;

/** PyTorch's _AdaptiveAvgPoolNd: output size per spatial dim (null keeps the input's size). */
export abstract class AdaptiveAvgPoolNd extends Module {
  static optionKeys: readonly string[] = [];
  constructor(readonly spatialDims: number, readonly outputSize: AdaptiveSize) {
    super();
    const sizes = typeof outputSize === 'number' ? [outputSize] : outputSize;
    if ((typeof outputSize !== 'number' && outputSize.length !== spatialDims) || sizes.some((s) => s !== null && (!Number.isInteger(s) || s <= 0))) {
      throw new Error(`${this.typeName}: outputSize must be a positive int or ${spatialDims} positive ints (or null), got ${JSON.stringify(outputSize)}`);
    }
  }

  override forward(x: tf.Tensor): tf.Tensor {
    checkChannelsFirst(this, x, this.spatialDims);
    return adaptiveAvgPoolNd(`adaptiveAvgPool${this.spatialDims}d`, this.spatialDims, x, this.outputSize);
  }

  override extraRepr(): string {
    const s = this.outputSize;
    if (typeof s === 'number') return `output_size=${s}`;
    return `output_size=${s.length === 1 ? `(${s[0] ?? 'None'},)` : `(${s.map((v) => v ?? 'None').join(', ')})`}`;
  }
}

export class AdaptiveAvgPool1d extends withSpatialDims(AdaptiveAvgPoolNd, 1) {}
export class AdaptiveAvgPool2d extends withSpatialDims(AdaptiveAvgPoolNd, 2) {}
export class AdaptiveAvgPool3d extends withSpatialDims(AdaptiveAvgPoolNd, 3) {}
