// nn.Conv1d/2d/3d and nn.ConvTranspose1d/2d/3d with PyTorch's constructor, fields, weight
// layouts ([out, in/groups, k...] and [in, out/groups, k...]) and default initialisation.
import type * as tf from '@tensorflow/tfjs-core';
import { Module, assignValue, parameter } from '../module.js';
import { biasUniform, kaimingUniform } from '../init.js';
import { convGeometry, convNd, convTransposeNd, convTransposeOutputSize, type WeightFakeQuant } from '../functional/conv.js';
import { pad } from '../functional/pad.js';
import { checkOptions, formatShape } from '@pq/core';
import { checkPositiveInt, nTuple } from '../args.js';
import { pyTuple } from '../py_repr.js';
import { checkChannelsFirst, layerName } from './layer_input.js';
import { optionKeysOf } from './option_keys.js';
import { withSpatialDims } from './spatial_dims.js';

type IntOrTuple = number | readonly number[];
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

export interface ConvLayerOptions {
  stride?: IntOrTuple;
  /** Zero padding per side, or 'valid' / 'same'. */
  padding?: IntOrTuple | 'valid' | 'same';
  dilation?: IntOrTuple;
  groups?: number;
  bias?: boolean;
  /** How the padding is filled: 'zeros' (default), 'reflect', 'replicate' or 'circular'. */
  paddingMode?: PaddingMode;
}

export interface ConvTransposeLayerOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  outputPadding?: IntOrTuple;
  groups?: number;
  bias?: boolean;
  dilation?: IntOrTuple;
  /** Only 'zeros' (PyTorch refuses the others for transposed convolutions too). */
  paddingMode?: 'zeros';
}

/** The state and checks Conv and ConvTranspose share (PyTorch's _ConvNd). */
abstract class ConvBase extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | 'valid' | 'same';
  readonly dilation: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  weight!: tf.Variable;
  bias!: tf.Variable | null;

  constructor(
    readonly spatialDims: number,
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrTuple,
    o: Omit<ConvLayerOptions, 'paddingMode'> & { outputPadding?: IntOrTuple; paddingMode?: string },
  ) {
    super();
    const name = this.typeName;
    checkOptions(name, o, optionKeysOf(this));
    const n = spatialDims;
    this.inChannels = checkPositiveInt(name, 'inChannels', inChannels);
    this.outChannels = checkPositiveInt(name, 'outChannels', outChannels);
    this.kernelSize = nTuple(name, 'kernelSize', kernelSize, n, 1);
    this.stride = nTuple(name, 'stride', o.stride ?? 1, n, 1);
    const padding = o.padding ?? 0;
    if (padding === 'same' && this.stride.some((s) => s !== 1)) {
      throw new Error(`${name}: padding='same' is not supported for strided convolutions (stride ${pyTuple(this.stride)})`);
    }
    this.padding = padding === 'valid' || padding === 'same' ? padding : nTuple(name, 'padding', padding as IntOrTuple, n, 0);
    this.dilation = nTuple(name, 'dilation', o.dilation ?? 1, n, 1);
    this.groups = checkPositiveInt(name, 'groups', o.groups ?? 1);
    if (inChannels % this.groups !== 0) throw new Error(`${name}: inChannels (${inChannels}) must be divisible by groups (${this.groups})`);
    if (outChannels % this.groups !== 0) throw new Error(`${name}: outChannels (${outChannels}) must be divisible by groups (${this.groups})`);
    const mode = o.paddingMode ?? 'zeros';
    if (!this.paddingModes.includes(mode)) {
      throw new Error(`${name}: paddingMode must be ${this.paddingModes.map((m) => `'${m}'`).join(', ')}, got '${String(mode)}'`);
    }
    this.paddingMode = mode as PaddingMode;
  }

  /** The padding modes this kind of layer accepts. */
  protected get paddingModes(): readonly string[] {
    return ['zeros'];
  }

  /** The weight's shape: [out, in/groups, k...] for Conv, [in, out/groups, k...] for ConvTranspose. */
  abstract get weightShape(): number[];

  /** Draws weight and bias with PyTorch's default initialisation (kaiming_uniform(a=√5)). */
  protected initParameters(bias: boolean): void {
    const shape = this.weightShape;
    this.weight = parameter(kaimingUniform(shape, { a: Math.sqrt(5) }), 'weight');
    this.bias = bias ? parameter(biasUniform([this.outChannels], shape), 'bias') : null;
  }

  resetParameters(): void {
    const shape = this.weightShape;
    assignValue(this.weight, () => kaimingUniform(shape, { a: Math.sqrt(5) }));
    if (this.bias !== null) assignValue(this.bias, () => biasUniform([this.outChannels], shape));
  }

  protected reprParts(outputPadding?: number[]): string {
    const n = this.spatialDims;
    const zeros = Array<number>(n).fill(0);
    const ones = Array<number>(n).fill(1);
    const same = (a: readonly number[], b: readonly number[]): boolean => a.every((v, i) => v === b[i]);
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (!same(this.padding, zeros)) s += `, padding=${pyTuple(this.padding)}`;
    if (!same(this.dilation, ones)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (outputPadding && !same(outputPadding, zeros)) s += `, output_padding=${pyTuple(outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/** PyTorch's _ConvNd for the forward direction. */
export abstract class ConvNd extends ConvBase {
  static optionKeys: readonly string[] = ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'];

  constructor(spatialDims: number, inChannels: number, outChannels: number, kernelSize: IntOrTuple, o: ConvLayerOptions = {}) {
    super(spatialDims, inChannels, outChannels, kernelSize, o);
    this.initParameters(o.bias ?? true);
  }

  get weightShape(): number[] {
    return [this.outChannels, this.inChannels / this.groups, ...this.kernelSize];
  }

  override forward(x: tf.Tensor): tf.Tensor {
    checkChannelsFirst(this, x, this.spatialDims, this.inChannels);
    return this.convForward(x, this.weight, this.bias);
  }

  protected override get paddingModes(): readonly string[] {
    return ['zeros', 'reflect', 'replicate', 'circular'];
  }

  /**
   * The convolution with this layer's geometry on any weight (QuantConvNd passes the quantized
   * one, or its own with the fake quantization to apply: `quant`).
   */
  convForward(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null, quant?: WeightFakeQuant): tf.Tensor {
    const op = `conv${this.spatialDims}d`;
    const o = { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return convNd(op, this.spatialDims, x, weight, bias, o, quant);
    // As PyTorch: pad with the mode first (pairs from the last dim), then convolve unpadded.
    const geo = convGeometry(op, this.kernelSize, o);
    const pairs = geo.padBefore.flatMap((b, i) => [b, geo.padAfter[i]!]);
    const reversed: number[] = [];
    for (let i = pairs.length - 2; i >= 0; i -= 2) reversed.push(pairs[i]!, pairs[i + 1]!);
    const padded = pad(x, reversed, this.paddingMode);
    return convNd(op, this.spatialDims, padded, weight, bias, { ...o, padding: 0 }, quant);
  }

  override extraRepr(): string {
    return this.reprParts();
  }
}

export class Conv1d extends withSpatialDims(ConvNd, 1) {}
export class Conv2d extends withSpatialDims(ConvNd, 2) {}
export class Conv3d extends withSpatialDims(ConvNd, 3) {}

/** PyTorch's _ConvTransposeNd. */
export abstract class ConvTransposeNd extends ConvBase {
  static optionKeys: readonly string[] = ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode'];
  readonly outputPadding: number[];

  constructor(spatialDims: number, inChannels: number, outChannels: number, kernelSize: IntOrTuple, o: ConvTransposeLayerOptions = {}) {
    super(spatialDims, inChannels, outChannels, kernelSize, o);
    const name = this.typeName;
    if (typeof o.padding === 'string') throw new Error(`${name}: padding must be an int or ${spatialDims} ints, got '${o.padding as string}'`);
    this.outputPadding = nTuple(name, 'outputPadding', o.outputPadding ?? 0, spatialDims, 0);
    this.outputPadding.forEach((p, i) => {
      if (p >= this.stride[i]! && p >= this.dilation[i]!) {
        throw new Error(`${name}: outputPadding ${pyTuple(this.outputPadding)} must be smaller than either stride ${pyTuple(this.stride)} or dilation ${pyTuple(this.dilation)}`);
      }
    });
    this.initParameters(o.bias ?? true);
  }

  get weightShape(): number[] {
    return [this.inChannels, this.outChannels / this.groups, ...this.kernelSize];
  }

  /**
   * `outputSize` (spatial sizes, optional) picks the output padding, as PyTorch's
   * `forward(input, output_size)` does for strides that make the size ambiguous.
   */
  override forward(x: tf.Tensor, outputSize?: readonly number[]): tf.Tensor {
    const unbatched = checkChannelsFirst(this, x, this.spatialDims, this.inChannels);
    const outputPadding = outputSize === undefined ? this.outputPadding : this.outputPaddingFor(x.shape.slice(unbatched ? 1 : 2), outputSize);
    return this.convTransposeForward(x, this.weight, this.bias, outputPadding);
  }

  /** The transposed convolution with this layer's geometry on any weight (QuantConvTransposeNd). */
  convTransposeForward(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null, outputPadding: number[] = this.outputPadding): tf.Tensor {
    const o = { stride: this.stride, padding: this.padding as number[], outputPadding, dilation: this.dilation, groups: this.groups };
    return convTransposeNd(`convTranspose${this.spatialDims}d`, this.spatialDims, x, weight, bias, o);
  }

  private outputPaddingFor(spatial: number[], outputSize: readonly number[]): number[] {
    const n = this.spatialDims;
    const wanted = outputSize.length === n + 2 ? outputSize.slice(2) : outputSize;
    const zeros = Array<number>(n).fill(0);
    const min = convTransposeOutputSize(spatial, this.kernelSize, this.stride, this.padding as number[], zeros, this.dilation);
    if (wanted.length !== n) throw new Error(`${layerName(this)}: outputSize must have ${n} entries, got ${formatShape(outputSize)}`);
    return wanted.map((w, i) => {
      const extra = w - min[i]!;
      if (extra < 0 || extra >= Math.max(this.stride[i]!, this.dilation[i]!)) {
        const max = min.map((m, j) => m + Math.max(this.stride[j]!, this.dilation[j]!) - 1);
        throw new Error(`${layerName(this)}: requested output size ${formatShape(wanted)} is not between ${formatShape(min)} and ${formatShape(max)} for input ${formatShape(spatial)}`);
      }
      return extra;
    });
  }

  override extraRepr(): string {
    return this.reprParts(this.outputPadding);
  }
}

export class ConvTranspose1d extends withSpatialDims(ConvTransposeNd, 1) {}
export class ConvTranspose2d extends withSpatialDims(ConvTransposeNd, 2) {}
export class ConvTranspose3d extends withSpatialDims(ConvTransposeNd, 3) {}
