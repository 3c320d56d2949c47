// torchvision's MobileNetV2 ("MobileNetV2: Inverted Residuals and Linear Bottlenecks") with its
// structure and state-dict names (`features.0.0.weight`, `features.1.conv.0.0.weight`,
// `classifier.1.weight`), so torchvision checkpoints load as they are. It has no quantize flag,
// as in torchvision: quantize it as the reference's classification flow does, by building it
// inside `quantModules.initialize()` / `deactivate()` or with `replaceWithQuant(model)` after.
import type * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Dropout, F, Linear, Module, ReLU6, Sequential } from '@pq/nn';
import { checkOptions } from '@pq/core';
import { initWeights } from './init.js';
import type { NormLayer } from './resnet.js';

export interface Conv2dNormActivationOptions {
  kernelSize?: number;
  stride?: number;
  /** Default (kernelSize - 1) / 2 * dilation ("same" for odd kernels). */
  padding?: number;
  groups?: number;
  /** The normalisation layer, or null for none (default BatchNorm2d). */
  normLayer?: NormLayer | null;
  /** The activation, or null for none (default ReLU6 here; torchvision's class defaults to ReLU). */
  activationLayer?: (() => Module) | null;
  dilation?: number;
  /** Convolution bias (default: only without a normalisation layer). */
  bias?: boolean;
}

/** torchvision.ops.Conv2dNormActivation: a Sequential of convolution (0), normalisation (1), activation (2). */
export class Conv2dNormActivation extends Sequential {
  readonly outChannels: number;

  constructor(inChannels: number, outChannels: number, o: Conv2dNormActivationOptions = {}) {
    checkOptions('Conv2dNormActivation', o, {
      kernelSize: 'integer', stride: 'integer', padding: 'integer', groups: 'integer', normLayer: 'any', activationLayer: 'any', dilation: 'integer', bias: 'boolean',
    });
    const { kernelSize = 3, stride = 1, groups = 1, dilation = 1 } = o;
    const normLayer = o.normLayer === undefined ? (c: number) => new BatchNorm2d(c) : o.normLayer;
    const activation = o.activationLayer === undefined ? () => new ReLU6({ inplace: true }) : o.activationLayer;
    const padding = o.padding ?? Math.floor((kernelSize - 1) / 2) * dilation;
    const layers: Module[] = [new Conv2d(inChannels, outChannels, kernelSize, { stride, padding, dilation, groups, bias: o.bias ?? normLayer === null })];
    if (normLayer !== null) layers.push(normLayer(outChannels));
    if (activation !== null) layers.push(activation());
    super(...layers);
    this.outChannels = outChannels;
  }
}

/** torchvision's _make_divisible: the nearest multiple of `divisor`, never 10% below `v`. */
export function makeDivisible(v: number, divisor: number, minValue = divisor): number {
  let newV = Math.max(minValue, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  if (newV < 0.9 * v) newV += divisor;
  return newV;
}

/** MobileNetV2's block: 1x1 expansion (unless `expandRatio` is 1), 3x3 depthwise, 1x1 linear projection; a residual add when shapes allow. */
export class InvertedResidual extends Module {
  readonly stride: number;
  readonly useResConnect: boolean;
  readonly conv: Sequential;
  readonly outChannels: number;

  constructor(inp: number, oup: number, stride: number, expandRatio: number, normLayer: NormLayer = (c) => new BatchNorm2d(c)) {
    super();
    if (stride !== 1 && stride !== 2) throw new Error(`InvertedResidual: stride should be 1 or 2 instead of ${stride}`);
    this.stride = stride;
    const hidden = Math.round(inp * expandRatio);
    this.useResConnect = stride === 1 && inp === oup;
    const layers: Module[] = [];
    if (expandRatio !== 1) layers.push(new Conv2dNormActivation(inp, hidden, { kernelSize: 1, normLayer }));
    layers.push(
      new Conv2dNormActivation(hidden, hidden, { stride, groups: hidden, normLayer }),
      new Conv2d(hidden, oup, 1, { stride: 1, padding: 0, bias: false }),
      normLayer(oup),
    );
    this.conv = new Sequential(...layers);
    this.outChannels = oup;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const y = this.conv.call(x) as tf.Tensor;
    return this.useResConnect ? F.add(x, y) : y;
  }
}

/** [expand ratio t, output channels c, repeats n, first stride s] per stage. */
export type InvertedResidualSetting = ReadonlyArray<readonly [number, number, number, number]>;

const DEFAULT_SETTING: InvertedResidualSetting = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

export interface MobileNetV2Options {
  /** Output classes (default 1000). */
  numClasses?: number;
  /** Channel multiplier (default 1). */
  widthMult?: number;
  /** The stages (default torchvision's seven). */
  invertedResidualSetting?: InvertedResidualSetting;
  /** Channel counts are rounded to multiples of this (default 8; 1 turns rounding off). */
  roundNearest?: number;
  /** The normalisation layer (default BatchNorm2d). */
  normLayer?: NormLayer;
  /** Dropout before the classifier (default 0.2). */
  dropout?: number;
}

export class MobileNetV2 extends Module {
  readonly lastChannel: number;
  readonly features: Sequential;
  readonly classifier: Sequential;

  constructor(o: MobileNetV2Options = {}) {
    super();
    checkOptions('MobileNetV2', o, { numClasses: 'integer', widthMult: 'number', invertedResidualSetting: 'object', roundNearest: 'integer', normLayer: 'function', dropout: 'number' });
    const { numClasses = 1000, widthMult = 1, roundNearest = 8, dropout = 0.2 } = o;
    const normLayer = o.normLayer ?? ((c: number) => new BatchNorm2d(c));
    const setting = o.invertedResidualSetting ?? DEFAULT_SETTING;
    if (numClasses < 1) throw new Error(`MobileNetV2: numClasses must be positive, got ${numClasses}`);
    if (!(widthMult > 0)) throw new Error(`MobileNetV2: widthMult must be positive, got ${widthMult}`);
    if (!Array.isArray(setting) || setting.length === 0 || setting.some((s) => !Array.isArray(s) || s.length !== 4 || !s.every((v) => Number.isInteger(v) && v > 0))) {
      throw new Error(`MobileNetV2: invertedResidualSetting should be a non-empty list of [t, c, n, s] positive integers, got ${JSON.stringify(setting)}`);
    }
    let inputChannel = makeDivisible(32 * widthMult, roundNearest);
    this.lastChannel = makeDivisible(1280 * Math.max(1, widthMult), roundNearest);
    const features: Module[] = [new Conv2dNormActivation(3, inputChannel, { stride: 2, normLayer })];
    for (const [t, c, n, s] of setting) {
      const outputChannel = makeDivisible(c * widthMult, roundNearest);
      for (let i = 0; i < n; i++) {
        features.push(new InvertedResidual(inputChannel, outputChannel, i === 0 ? s : 1, t, normLayer));
        inputChannel = outputChannel;
      }
    }
    features.push(new Conv2dNormActivation(inputChannel, this.lastChannel, { kernelSize: 1, normLayer }));
    this.features = new Sequential(...features);
    this.classifier = new Sequential(new Dropout(dropout), new Linear(this.lastChannel, numClasses));
    initWeights(this, { linear: true });
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const h = F.adaptiveAvgPool2d(this.features.call(x) as tf.Tensor, [1, 1]);
    return this.classifier.call(F.flatten(h, 1)) as tf.Tensor;
  }
}

/** torchvision's mobilenet_v2 (3.5M parameters at 1000 classes). */
export function mobilenet_v2(o: MobileNetV2Options = {}): MobileNetV2 {
  return new MobileNetV2(o);
}
