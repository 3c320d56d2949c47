// The model zoo by name, for command lines and configuration files (`--model resnet50`).
import { quantModules, type Module } from '@pq/nn';
import { mobilenet_v2, type MobileNetV2Options } from './mobilenet.js';
import { RESNET_ARCHS, resnet, type ResNetName, type ResNetOptions } from './resnet.js';
import { VIT_ARCHS, vit_tiny, vit_b_16, vit_b_32, vit_h_14, vit_l_16, vit_l_32, type VisionTransformerOptions, type VitName } from './vit.js';

export type ModelName = ResNetName | 'mobilenet_v2' | VitName;

const VITS: Record<VitName, (o: VisionTransformerOptions) => Module> = { vit_b_16, vit_b_32, vit_l_16, vit_l_32, vit_h_14, vit_tiny };

/** Every model `createModel` builds. */
export const MODEL_NAMES: readonly ModelName[] = [
  ...(Object.keys(RESNET_ARCHS) as ResNetName[]), 'mobilenet_v2', ...(Object.keys(VIT_ARCHS) as VitName[]), 'vit_tiny',
];

export interface CreateModelOptions {
  /** Output classes (default 1000). */
  numClasses?: number;
  /**
   * Build it quantized as the reference's classification flow does: a ResNet with its
   * `quantize` flag (QuantConv2d, QuantLinear and a residual quantizer per block),
   * mobilenet_v2 and the Vision Transformers inside `quantModules.initialize()` (every
   * convolution, linear layer and attention). Default false.
   */
  quantize?: boolean;
}

/**
 * Builds a model by name: `createModel('resnet18', { numClasses: 10, quantize: true })`. The
 * quantizers use the classes' default descriptors at build time (QuantConv2d.defaultQuantDescInput
 * and so on), so set those first to change the calibrator, as the reference's flow does.
 */
export function createModel(name: ModelName, o: CreateModelOptions & ResNetOptions & MobileNetV2Options & VisionTransformerOptions = {}): Module {
  if (!MODEL_NAMES.includes(name)) throw new Error(`createModel: unknown model '${String(name)}' (known: ${MODEL_NAMES.join(', ')})`);
  if (Object.hasOwn(RESNET_ARCHS, name)) return resnet(name as ResNetName, o);
  const { quantize = false, ...rest } = o;
  const build = name === 'mobilenet_v2' ? () => mobilenet_v2(rest) : () => VITS[name as VitName](rest);
  if (!quantize || quantModules.active) return build();
  quantModules.initialize();
  try {
    return build();
  } finally {
    quantModules.deactivate();
  }
}
