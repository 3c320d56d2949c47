// The models --model can name: @pq/vision's zoo by torchvision's names, each built quantized the
// way the reference's flow builds it (a ResNet with its quantize flag, mobilenet_v2 under
// quant_modules). A registry is a plain map, so other models (and tests' small ones) add an
// entry without touching the flow.
import { QuantDescriptor } from '@pq/core';
import { type Module, QuantConv2d, QuantConvTranspose2d, QuantLinear } from '@pq/nn';
import { MODEL_NAMES, type ModelName, createModel } from '@pq/vision';
import type { Calibrator } from './args.js';

/** Builds a quantized model with `numClasses` outputs; its quantizers use the classes' default descriptors. */
export type ModelBuilder = (o: { numClasses: number }) => Module;
export type ModelRegistry = Readonly<Record<string, ModelBuilder>>;

export const MODELS: ModelRegistry = Object.fromEntries(
  MODEL_NAMES.map((name) => [name, (o: { numClasses: number }) => createModel(name as ModelName, { numClasses: o.numClasses, quantize: true })]),
);

/** The same models in float (for --quant-config, which quantizes a float model the ModelOpt way). */
export const FLOAT_MODELS: ModelRegistry = Object.fromEntries(
  MODEL_NAMES.map((name) => [name, (o: { numClasses: number }) => createModel(name as ModelName, { numClasses: o.numClasses })]),
);

/** The quant layers whose default descriptors the flow sets, as the reference's prepare_model does. */
const QUANT_CLASSES = [QuantConv2d, QuantConvTranspose2d, QuantLinear] as const;

/**
 * Builds `name` with input quantizers calibrated by `calibrator` (per tensor) and weight
 * quantizers per output channel (max), or per tensor with `perTensorWeights` (the reference's
 * --disable-pcq); the classes' default descriptors are restored afterwards.
 */
export function buildQuantModel(models: ModelRegistry, name: string, numClasses: number, calibrator: Calibrator, perTensorWeights: boolean): Module {
  const build = models[name];
  if (!build) throw new Error(`unknown model '${name}' (known: ${Object.keys(models).join(', ')})`);
  const saved = QUANT_CLASSES.map((c) => [c.defaultQuantDescInput, c.defaultQuantDescWeight] as const);
  try {
    for (const c of QUANT_CLASSES) {
      c.setDefaultQuantDescInput(new QuantDescriptor({ calibMethod: calibrator }));
      if (perTensorWeights) c.setDefaultQuantDescWeight(new QuantDescriptor({ calibMethod: calibrator, axis: null }));
    }
    return build({ numClasses });
  } finally {
    QUANT_CLASSES.forEach((c, i) => {
      c.setDefaultQuantDescInput(saved[i]![0]);
      c.setDefaultQuantDescWeight(saved[i]![1]);
    });
  }
}
