// What the pipeline needs from a model, so that the orchestration (data order, schedules,
// calibration order, outputs) is independent of how LeNet is built. The @pq/nn LeNet
// implements it in lenet/; tests can use any small model.
import type { Split } from './data/dataset.js';
import type { CalibHistogram } from '@pq/app-kit/report';

/** A tensor as state dicts hold it: float32 data, row-major, PyTorch-layout shape. */
export interface StateTensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}
/** PyTorch-named state dict (`conv1.weight`, `conv1._input_quantizer._amax`, ...). */
export type StateDict = Record<string, StateTensor>;

/** The calibration methods of the PTQ phase, in the order they run. */
export const CALIB_METHODS = ['max', 'percentile', 'mse', 'entropy'] as const;
export type CalibMethod = (typeof CALIB_METHODS)[number];

export interface TrainableModel {
  /** One SGD (momentum 0.9) step on `batch` at learning rate `lr` in training mode; returns its mean loss. */
  trainStep(batch: Split, lr: number): number;
  /** Log-probabilities `[batch.count, 10]` in eval mode (no dropout). */
  predict(batch: Split): Float32Array;
  stateDict(): StateDict;
  dispose(): void;
}

export interface QuantModel extends TrainableModel {
  /** Runs `batches` through the model with every input quantizer collecting statistics. */
  collect(batches: Iterable<Split>): void;
  /**
   * Loads each input quantizer's amax from what it collected: 'max' for a model built with
   * max calibrators, 'percentile' (99.99) / 'mse' / 'entropy' for histogram calibrators.
   * May be called again with another method on the same collected statistics.
   */
  finishCalibration(method: CalibMethod): void;
  /** The input quantizers' calibration histograms (empty for max calibrators). */
  histograms(): CalibHistogram[];
  /** The model as ONNX with Q/DQ pairs (ModelProto bytes), batch dimension dynamic. */
  exportOnnx(sample: Split): Uint8Array;
}

export interface ModelFactory {
  /** A float LeNet: seeded initialisation, or `weights` loaded. `seed` also drives dropout. */
  createFloat(seed: number, weights: StateDict | null): TrainableModel;
  /**
   * A quantized LeNet holding `floatWeights`, weight quantizers set to per-channel max, input
   * quantizers with 'max' or 'histogram' calibrators.
   */
  createQuant(floatWeights: StateDict, calibrator: 'max' | 'histogram', seed: number): QuantModel;
  /** Reads a float state dict with PyTorch names from .safetensors or .json. */
  loadWeights(file: string): StateDict;
  /** safetensors bytes of a state dict (written atomically by the pipeline). */
  encodeSafetensors(dict: StateDict): Uint8Array;
}

/** Every `._amax` of a state dict, flattened, by name. */
export function amaxOf(dict: StateDict): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(dict)) if (name.endsWith('._amax')) out[name] = Array.from(t.data);
  return out;
}
