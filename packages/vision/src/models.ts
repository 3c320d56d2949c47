// The model zoo by name, for command lines and configuration files (`--model resnet50`).
import { quantModules, type Module } from '@pq/nn';
import { mobilenet_v2, type MobileNetV2Options } from './mobilenet.js';
import { RESNET_ARCHS, resnet, type ResNetName, type ResNetOptions } from './resnet.js';

export type ModelName = ResNetName | 'mobilenet_v2';

/** Every model `createModel` builds. */
export const MODEL_NAMES: readonly ModelName[] = [...(Object.keys(RESNET_ARCHS) as ResNetName[]), 'mobilenet_v2'];

export interface CreateModelOptions {
  /** Output classes (default 1000). */
  numClasses?: number;
  /**
   * Build it quantized as the reference's classification flow does: a ResNet with its
   * `quantize` flag (QuantConv2d, QuantLinear and a residual quantizer per block),
   * mobilenet_v2 inside `quantModules.initialize()` (every convolution and linear layer).
   * Default false.
   */
  quantize?: boolean;
}

/**
 * Builds a model by name: `createModel('resnet18', { numClasses: 10, quantize: true })`. The
 * quantizers use the classes' default descriptors at build time (QuantConv2d.defaultQuantDescInput
 * and so on), so set those first to change the calibrator, as the reference's flow does.
 */
export function createModel(name: ModelName, o: CreateModelOptions & ResNetOptions & MobileNetV2Options = {}): Module {
  if (!MODEL_NAMES.includes(name)) throw new Error(`createModel: unknown model '${String(name)}' (known: ${MODEL_NAMES.join(', ')})`);
  if (name !== 'mobilenet_v2') return resnet(name, o);
  const { quantize = false, ...rest } = o;
  if (!quantize || quantModules.active) return mobilenet_v2(rest);
  quantModules.initialize();
  try {
    return mobilenet_v2(rest);
  } finally {
    quantModules.deactivate();
  }
}
