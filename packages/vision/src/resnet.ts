// The quantized ResNet family of pytorch-quantization's torchvision example
// (examples/torchvision/models/classification/resnet.py): torchvision's ResNets with a
// `quantize` flag. With `quantize: true` every convolution is a QuantConv2d, the classifier a
// QuantLinear, and each residual block quantizes its identity branch with a
// `residual_quantizer` (QuantConv2d's default input descriptor) before the add, so that
// TensorRT can run the add in int8. State-dict keys are torchvision's (`layer1.0.conv1.weight`,
// `layer1.0.bn1.running_mean`, `fc.weight`) plus the quantizers' (`conv1._input_quantizer._amax`,
// `layer1.0.residual_quantizer._amax`), so torchvision checkpoints load as they are.
import type * as tf from '@tensorflow/tfjs-core';
import {
  AdaptiveAvgPool2d, BatchNorm2d, Conv2d, F, Linear, MaxPool2d, Module, QuantConv2d, QuantLinear, ReLU, Sequential, TensorQuantizer,
} from '@pq/nn';
import { checkOptions } from '@pq/core';
import { initWeights, zeroInit } from './init.js';
import { checkPositiveInt } from './checks.js';

/** Builds the normalisation layer after each convolution (default BatchNorm2d). */
export type NormLayer = (numFeatures: number) => Module;

export interface ResNetOptions {
  /** Build QuantConv2d / QuantLinear layers and a residual quantizer per block (default false). */
  quantize?: boolean;
  /** Output classes of the final fully connected layer (default 1000). */
  numClasses?: number;
  /** Zero the last normalisation scale of each block, so that each block starts as the identity (default false). */
  zeroInitResidual?: boolean;
  /** Groups of each Bottleneck's 3x3 convolution (default 1; ResNeXt 32). */
  groups?: number;
  /** Channels per group of each Bottleneck's 3x3 convolution, times `groups` (default 64). */
  widthPerGroup?: number;
  /** For layer2..layer4: replace the stride-2 downsampling by a dilated convolution (default [false, false, false]). */
  replaceStrideWithDilation?: readonly [boolean, boolean, boolean];
  /** The normalisation layer (default `(c) => new BatchNorm2d(c)`). */
  normLayer?: NormLayer;
}

const OPTION_KEYS = {
  quantize: 'boolean', numClasses: 'integer', zeroInitResidual: 'boolean', groups: 'integer', widthPerGroup: 'integer',
  replaceStrideWithDilation: 'object', normLayer: 'function',
} as const;

const defaultNorm: NormLayer = (c) => new BatchNorm2d(c);

/** 3x3 convolution with padding (dilation), no bias. */
function conv3x3(inPlanes: number, outPlanes: number, stride: number, groups: number, dilation: number, quantize: boolean): Conv2d {
  const o = { stride, padding: dilation, groups, bias: false, dilation };
  return quantize ? new QuantConv2d(inPlanes, outPlanes, 3, o) : new Conv2d(inPlanes, outPlanes, 3, o);
}

/** 1x1 convolution, no bias. */
function conv1x1(inPlanes: number, outPlanes: number, stride: number, quantize: boolean): Conv2d {
  const o = { stride, bias: false };
  return quantize ? new QuantConv2d(inPlanes, outPlanes, 1, o) : new Conv2d(inPlanes, outPlanes, 1, o);
}

/** What a block's constructor receives from `ResNet._makeLayer`. */
export interface BlockOptions {
  stride?: number;
  downsample?: Module | null;
  groups?: number;
  baseWidth?: number;
  dilation?: number;
  normLayer?: NormLayer;
  quantize?: boolean;
}

/** A residual block class: BasicBlock or Bottleneck. */
export interface BlockClass {
  readonly expansion: number;
  /** Throws if the block cannot be built with these settings (checked before anything is allocated). */
  checkConfig?(groups: number, baseWidth: number, dilation: number): void;
  new (inplanes: number, planes: number, o?: BlockOptions): ResidualBlock;
}

/** What BasicBlock and Bottleneck share: the downsampled, optionally quantized identity added to the branch. */
export abstract class ResidualBlock extends Module {
  abstract readonly stride: number;
  abstract readonly downsample: Module | null;
  /** Quantizes the identity branch before the add (only with `quantize: true`). */
  abstract readonly residual_quantizer: TensorQuantizer | null;
  abstract readonly relu: ReLU;

  /** relu(branch + identity), the identity downsampled and quantized as configured. */
  protected addIdentity(branch: tf.Tensor, x: tf.Tensor): tf.Tensor {
    let identity = this.downsample === null ? x : (this.downsample.call(x) as tf.Tensor);
    if (this.residual_quantizer !== null) identity = this.residual_quantizer.call(identity) as tf.Tensor;
    return this.relu.call(F.add(branch, identity)) as tf.Tensor;
  }
}

export class BasicBlock extends ResidualBlock {
  static readonly expansion = 1;
  readonly conv1: Conv2d;
  readonly bn1: Module;
  readonly relu: ReLU;
  readonly conv2: Conv2d;
  readonly bn2: Module;
  readonly downsample: Module | null;
  readonly stride: number;
  readonly residual_quantizer: TensorQuantizer | null;

  static checkConfig(groups: number, baseWidth: number, dilation: number): void {
    if (groups !== 1 || baseWidth !== 64) throw new Error(`BasicBlock only supports groups=1 and widthPerGroup=64 (got ${groups} and ${baseWidth})`);
    if (dilation > 1) throw new Error('BasicBlock does not support dilation > 1 (replaceStrideWithDilation needs Bottleneck blocks)');
  }

  constructor(inplanes: number, planes: number, o: BlockOptions = {}) {
    super();
    const { stride = 1, downsample = null, groups = 1, baseWidth = 64, dilation = 1, normLayer = defaultNorm, quantize = false } = o;
    BasicBlock.checkConfig(groups, baseWidth, dilation);
    // Both conv1 and downsample downsample the input when stride != 1.
    this.conv1 = conv3x3(inplanes, planes, stride, 1, 1, quantize);
    this.bn1 = normLayer(planes);
    this.relu = new ReLU({ inplace: true });
    this.conv2 = conv3x3(planes, planes, 1, 1, 1, quantize);
    this.bn2 = normLayer(planes);
    this.downsample = downsample;
    this.stride = stride;
    this.residual_quantizer = quantize ? new TensorQuantizer(QuantConv2d.defaultQuantDescInput) : null;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    let out = this.relu.call(this.bn1.call(this.conv1.call(x))) as tf.Tensor;
    out = this.bn2.call(this.conv2.call(out)) as tf.Tensor;
    return this.addIdentity(out, x);
  }

  /** The normalisation layer whose scale zeroInitResidual zeroes. */
  get lastNorm(): Module {
    return this.bn2;
  }
}

/**
 * torchvision's Bottleneck (ResNet V1.5): the stride sits on the 3x3 convolution (conv2), not
 * on the first 1x1 as in the original paper.
 */
export class Bottleneck extends ResidualBlock {
  static readonly expansion = 4;
  readonly conv1: Conv2d;
  readonly bn1: Module;
  readonly conv2: Conv2d;
  readonly bn2: Module;
  readonly conv3: Conv2d;
  readonly bn3: Module;
  readonly relu: ReLU;
  readonly downsample: Module | null;
  readonly stride: number;
  readonly residual_quantizer: TensorQuantizer | null;

  constructor(inplanes: number, planes: number, o: BlockOptions = {}) {
    super();
    const { stride = 1, downsample = null, groups = 1, baseWidth = 64, dilation = 1, normLayer = defaultNorm, quantize = false } = o;
    const width = Math.trunc(planes * (baseWidth / 64)) * groups;
    // Both conv2 and downsample downsample the input when stride != 1.
    this.conv1 = conv1x1(inplanes, width, 1, quantize);
    this.bn1 = normLayer(width);
    this.conv2 = conv3x3(width, width, stride, groups, dilation, quantize);
    this.bn2 = normLayer(width);
    this.conv3 = conv1x1(width, planes * Bottleneck.expansion, 1, quantize);
    this.bn3 = normLayer(planes * Bottleneck.expansion);
    this.relu = new ReLU({ inplace: true });
    this.downsample = downsample;
    this.stride = stride;
    this.residual_quantizer = quantize ? new TensorQuantizer(QuantConv2d.defaultQuantDescInput) : null;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    let out = this.relu.call(this.bn1.call(this.conv1.call(x))) as tf.Tensor;
    out = this.relu.call(this.bn2.call(this.conv2.call(out))) as tf.Tensor;
    out = this.bn3.call(this.conv3.call(out)) as tf.Tensor;
    return this.addIdentity(out, x);
  }

  get lastNorm(): Module {
    return this.bn3;
  }
}

export class ResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: Module;
  readonly relu: ReLU;
  readonly maxpool: MaxPool2d;
  readonly layer1: Sequential;
  readonly layer2: Sequential;
  readonly layer3: Sequential;
  readonly layer4: Sequential;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly fc: Linear;
  readonly quantize: boolean;
  readonly numClasses: number;
  #inplanes = 64;
  #dilation = 1;
  readonly #groups: number;
  readonly #baseWidth: number;
  readonly #normLayer: NormLayer;

  /** `layers`: blocks per stage, e.g. [2, 2, 2, 2] for ResNet-18. */
  constructor(block: BlockClass, layers: readonly [number, number, number, number], o: ResNetOptions = {}) {
    super();
    checkOptions('ResNet', o, OPTION_KEYS);
    if (!Array.isArray(layers) || layers.length !== 4) throw new Error(`ResNet: layers must list 4 block counts, got ${JSON.stringify(layers)}`);
    layers.forEach((n, i) => checkPositiveInt('ResNet', `layers[${i}]`, n));
    const quantize = o.quantize ?? false;
    const dilate = o.replaceStrideWithDilation ?? [false, false, false];
    if (!Array.isArray(dilate) || dilate.length !== 3 || !dilate.every((d) => typeof d === 'boolean')) {
      throw new Error(`ResNet: replaceStrideWithDilation must be 3 booleans (for layer2, layer3, layer4), got ${JSON.stringify(dilate)}`);
    }
    this.quantize = quantize;
    this.numClasses = checkPositiveInt('ResNet', 'numClasses', o.numClasses ?? 1000);
    this.#groups = checkPositiveInt('ResNet', 'groups', o.groups ?? 1);
    this.#baseWidth = checkPositiveInt('ResNet', 'widthPerGroup', o.widthPerGroup ?? 64);
    this.#normLayer = o.normLayer ?? defaultNorm;
    // Refuse what a block cannot build before allocating anything (the largest dilation is the last stage's).
    let dilation = 1;
    for (const d of dilate) if (d) dilation *= 2;
    block.checkConfig?.(this.#groups, this.#baseWidth, dilation);

    const stem = { stride: 2, padding: 3, bias: false };
    this.conv1 = quantize ? new QuantConv2d(3, this.#inplanes, 7, stem) : new Conv2d(3, this.#inplanes, 7, stem);
    this.bn1 = this.#normLayer(this.#inplanes);
    this.relu = new ReLU({ inplace: true });
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    this.layer1 = this.makeLayer(block, 64, layers[0], 1, false, quantize);
    this.layer2 = this.makeLayer(block, 128, layers[1], 2, dilate[0]!, quantize);
    this.layer3 = this.makeLayer(block, 256, layers[2], 2, dilate[1]!, quantize);
    this.layer4 = this.makeLayer(block, 512, layers[3], 2, dilate[2]!, quantize);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.fc = quantize ? new QuantLinear(512 * block.expansion, this.numClasses) : new Linear(512 * block.expansion, this.numClasses);

    initWeights(this);
    // Zero-initialise the last normalisation of each residual branch, so that each block starts
    // as the identity (https://arxiv.org/abs/1706.02677).
    if (o.zeroInitResidual) {
      for (const [, m] of this.namedModules()) if (m instanceof BasicBlock || m instanceof Bottleneck) zeroInit(m.lastNorm);
    }
  }

  private makeLayer(block: BlockClass, planes: number, blocks: number, stride: number, dilate: boolean, quantize: boolean): Sequential {
    const normLayer = this.#normLayer;
    let downsample: Module | null = null;
    const previousDilation = this.#dilation;
    if (dilate) {
      this.#dilation *= stride;
      stride = 1;
    }
    if (stride !== 1 || this.#inplanes !== planes * block.expansion) {
      downsample = new Sequential(conv1x1(this.#inplanes, planes * block.expansion, stride, quantize), normLayer(planes * block.expansion));
    }
    const common = { groups: this.#groups, baseWidth: this.#baseWidth, normLayer, quantize };
    const list: Module[] = [new block(this.#inplanes, planes, { ...common, stride, downsample, dilation: previousDilation })];
    this.#inplanes = planes * block.expansion;
    for (let i = 1; i < blocks; i++) list.push(new block(this.#inplanes, planes, { ...common, dilation: this.#dilation }));
    return new Sequential(...list);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    let h = this.maxpool.call(this.relu.call(this.bn1.call(this.conv1.call(x)))) as tf.Tensor;
    h = this.layer4.call(this.layer3.call(this.layer2.call(this.layer1.call(h)))) as tf.Tensor;
    h = F.flatten(this.avgpool.call(h) as tf.Tensor, 1);
    return this.fc.call(h) as tf.Tensor;
  }
}

/** How each named ResNet is built: block, blocks per stage, and the options it fixes. */
export interface ResNetArch {
  readonly block: BlockClass;
  readonly layers: readonly [number, number, number, number];
  readonly groups?: number;
  readonly widthPerGroup?: number;
}

/** The reference's (and torchvision's) table of named ResNets. */
export const RESNET_ARCHS = {
  resnet18: { block: BasicBlock, layers: [2, 2, 2, 2] },
  resnet34: { block: BasicBlock, layers: [3, 4, 6, 3] },
  resnet50: { block: Bottleneck, layers: [3, 4, 6, 3] },
  resnet101: { block: Bottleneck, layers: [3, 4, 23, 3] },
  resnet152: { block: Bottleneck, layers: [3, 8, 36, 3] },
  resnext50_32x4d: { block: Bottleneck, layers: [3, 4, 6, 3], groups: 32, widthPerGroup: 4 },
  resnext101_32x8d: { block: Bottleneck, layers: [3, 4, 23, 3], groups: 32, widthPerGroup: 8 },
  wide_resnet50_2: { block: Bottleneck, layers: [3, 4, 6, 3], widthPerGroup: 128 },
  wide_resnet101_2: { block: Bottleneck, layers: [3, 4, 23, 3], widthPerGroup: 128 },
} as const satisfies Record<string, ResNetArch>;

export type ResNetName = keyof typeof RESNET_ARCHS;

/** Builds a named ResNet; `groups` / `widthPerGroup` of ResNeXt and Wide ResNet override the options', as in the reference. */
export function resnet(name: ResNetName, o: ResNetOptions = {}): ResNet {
  if (!Object.hasOwn(RESNET_ARCHS, name)) throw new Error(`resnet: unknown architecture '${String(name)}' (known: ${Object.keys(RESNET_ARCHS).join(', ')})`);
  const { block, layers, ...fixed } = RESNET_ARCHS[name] as ResNetArch;
  return new ResNet(block, layers, { ...o, ...fixed });
}

/** ResNet-18 ("Deep Residual Learning for Image Recognition"). */
export const resnet18 = (o: ResNetOptions = {}): ResNet => resnet('resnet18', o);
/** ResNet-34. */
export const resnet34 = (o: ResNetOptions = {}): ResNet => resnet('resnet34', o);
/** ResNet-50. */
export const resnet50 = (o: ResNetOptions = {}): ResNet => resnet('resnet50', o);
/** ResNet-101. */
export const resnet101 = (o: ResNetOptions = {}): ResNet => resnet('resnet101', o);
/** ResNet-152. */
export const resnet152 = (o: ResNetOptions = {}): ResNet => resnet('resnet152', o);
/** ResNeXt-50 32x4d ("Aggregated Residual Transformation for Deep Neural Networks"). */
export const resnext50_32x4d = (o: ResNetOptions = {}): ResNet => resnet('resnext50_32x4d', o);
/** ResNeXt-101 32x8d. */
export const resnext101_32x8d = (o: ResNetOptions = {}): ResNet => resnet('resnext101_32x8d', o);
/** Wide ResNet-50-2 ("Wide Residual Networks"): every Bottleneck twice as wide inside. */
export const wide_resnet50_2 = (o: ResNetOptions = {}): ResNet => resnet('wide_resnet50_2', o);
/** Wide ResNet-101-2. */
export const wide_resnet101_2 = (o: ResNetOptions = {}): ResNet => resnet('wide_resnet101_2', o);
