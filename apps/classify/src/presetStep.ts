// The flow's --quant-config step: for each config, a float copy of the model with the trained
// weights, quantized with `quantize(model, config, forwardLoop)` on the reference PTQ's
// calibration batches, evaluated, saved, and (with --evaluate-onnx) exported at opset 21 and
// run in ONNX Runtime.
import * as tf from '@tensorflow/tfjs-core';
import type { OnnxCheck } from '@pq/app-kit';
import { type Module, type StateDict, encodeSafetensors } from '@pq/nn';
import type { QuantConfigName } from './args.js';
import { type ImageSet, batchRanges } from './data/dataset.js';
import type { ModelRegistry } from './models.js';
import { QUANT_CONFIGS, type RtnVsAwq, algorithmName, applyQuantConfig, rtnVsAwq } from './presets.js';
import { type StepContext, checkOnnx, evaluate, exportModel } from './steps.js';

/** ONNX opset of the configs' exports: INT4 weights and block-wise DequantizeLinear need 21. */
export const PRESET_OPSET = 21;

export interface QuantConfigResult {
  /** The preset and what it quantizes. */
  what: string;
  algorithm: string;
  accuracy: number;
  /** The state dict file, in --out. */
  file: string;
  onnx: ({ file: string } & OnnxCheck) | null;
}

export interface QuantConfigsSummary {
  /** Calibration images (the reference PTQ's batches). */
  images: number;
  results: Record<string, QuantConfigResult>;
  /** Round to nearest against AWQ at 4 and 3 bits, where both ran. */
  rtnVsAwq: RtnVsAwq[];
}

/** The output files of the configs. */
export function presetOutputs(model: string, configs: readonly string[], evaluateOnnx: boolean): string[] {
  return configs.flatMap((c) => [`${model}-${c}.safetensors`, ...(evaluateOnnx ? [`${model}-${c}.onnx`] : [])]);
}

export interface PresetStepInput {
  model: string;
  configs: readonly QuantConfigName[];
  floatModels: ModelRegistry;
  /** The trained float weights. */
  float: StateDict;
  classes: number;
  train: ImageSet;
  val: ImageSet;
  /** Calibration: the first `images` of `order`, in batches of `batchSize` (training transform, computed once). */
  order: Int32Array;
  images: number;
  batchSize: number;
  batchSizeTest: number;
  evaluateOnnx: boolean;
  save: (name: string, bytes: Uint8Array) => Promise<string>;
  log: (line: string) => void;
}

export async function runPresetStep(p: PresetStepInput, ctx: StepContext): Promise<QuantConfigsSummary> {
  const build = p.floatModels[p.model];
  if (!build) throw new Error(`--quant-config: no float model '${p.model}' (known: ${Object.keys(p.floatModels).join(', ')})`);
  // The same images every pass (AWQ runs the loop twice), as the reference PTQ calibrates on.
  const calib = [...batchRanges(p.images, p.batchSize)].map((r) => p.train.batch(Int32Array.from(r, (i) => p.order[i]!), true));
  const results: Record<string, QuantConfigResult> = {};
  for (const name of p.configs) {
    const entry = QUANT_CONFIGS[name];
    const model = build({ numClasses: p.classes });
    try {
      model.loadStateDict(p.float);
      applyQuantConfig(model, name, function* () {
        for (const b of calib) {
          const x = tf.tensor4d(b.images, [b.count, 3, b.size, b.size]);
          try {
            yield x;
          } finally {
            x.dispose();
          }
        }
      });
      const accuracy = await evaluate(model, p.val, p.batchSizeTest, p.classes, `evaluate ${name}`, ctx);
      const file = await p.save(`${p.model}-${name}.safetensors`, encodeSafetensors(model.stateDict()));
      let onnx: QuantConfigResult['onnx'] = null;
      if (p.evaluateOnnx) onnx = await exportAndCheck(p, name, model);
      results[name] = { what: entry.what, algorithm: algorithmName(entry.config), accuracy, file, onnx };
      p.log(`${name}: val accuracy ${(accuracy * 100).toFixed(2)}%${onnx ? `, ONNX Runtime ${(onnx.accuracy * 100).toFixed(2)}%` : ''}`);
    } finally {
      model.dispose();
    }
  }
  const accuracies = Object.fromEntries(Object.entries(results).map(([n, r]) => [n, r.accuracy]));
  return { images: p.images, results, rtnVsAwq: rtnVsAwq(accuracies) };
}

async function exportAndCheck(p: PresetStepInput, name: QuantConfigName, model: Module): Promise<{ file: string } & OnnxCheck> {
  // fp8Format 'onnx': standard FP8 Q/DQ, so that ONNX Runtime runs the fp8 and w4a8 configs too.
  const bytes = exportModel(model, p.val, { opset: PRESET_OPSET, fp8Format: 'onnx' });
  const file = await p.save(`${p.model}-${name}.onnx`, bytes);
  return { file, ...(await checkOnnx(model, bytes, p.val, p.batchSizeTest, p.classes)) };
}
