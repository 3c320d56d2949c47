// Statistics collection as ModelOpt runs it: enabled quantizers with a calibrator collect
// (and stop quantizing) while data flows; those without one (dynamic block quantizers) are
// bypassed meanwhile; disabled quantizers are left alone. Finishing loads each collected amax
// and switches quantization back on. Max calibration is one such round.
import * as tf from '@tensorflow/tfjs-core';
import { HistogramCalibrator } from '@pq/calib';
import type { Module } from '../module.js';
import { TensorQuantizer } from '../quant/tensor_quantizer.js';
import { tensorQuantizersOf, type AnyQuantizer } from './quantizers.js';

/** What enableStats changed, for finishStats to undo. */
export interface StatsRound {
  readonly quantizers: TensorQuantizer[];
  readonly bypassed: Set<TensorQuantizer>;
}

function allTensorQuantizers(root: Module | AnyQuantizer): TensorQuantizer[] {
  return [...root.namedModules()].map(([, m]) => m).filter((m): m is TensorQuantizer => m instanceof TensorQuantizer);
}

export function enableStats(root: Module | AnyQuantizer): StatsRound {
  const quantizers = allTensorQuantizers(root).filter((q) => !q.disabled);
  const bypassed = new Set<TensorQuantizer>();
  for (const q of quantizers) {
    if (q.calibrator !== null) {
      q.resetCalibration();
      q.disableQuant();
      q.enableCalib();
    } else {
      q.disable();
      bypassed.add(q);
    }
  }
  return { quantizers, bypassed };
}

export function finishStats(round: StatsRound): void {
  for (const q of round.quantizers) {
    if (round.bypassed.has(q)) {
      q.enable();
      continue;
    }
    if (q.collectedBatches > 0) {
      if (q.calibrator instanceof HistogramCalibrator) q.loadCalibAmax('percentile');
      else q.loadCalibAmax();
    }
    q.disableCalib();
    q.enableQuant();
  }
}

/** Max calibration: run `loop` with every enabled quantizer collecting, then load the amax. */
export function maxCalibrate<R>(root: Module | AnyQuantizer, loop: () => R): R {
  const round = enableStats(root);
  try {
    return loop();
  } finally {
    finishStats(round);
  }
}

/** Calibrates a weight quantizer on `weight` alone (its amax from the weight's values). */
export function calibrateOnWeight(q: AnyQuantizer, weight: tf.Tensor): void {
  maxCalibrate(q, () => tf.tidy(() => void q.call(weight)));
}

/** The weight a quantized layer's `_weight_quantizer` quantizes (`weight`, or MultiheadAttention's `in_proj_weight`). */
export function quantizedWeight(m: Module): { quantizer: AnyQuantizer; weight: tf.Variable } | null {
  const r = m as unknown as { _weight_quantizer?: unknown; weight?: unknown; in_proj_weight?: unknown };
  const q = r._weight_quantizer;
  if (q === undefined || q === null) return null;
  const w = r.weight instanceof tf.Variable ? r.weight : r.in_proj_weight instanceof tf.Variable ? r.in_proj_weight : null;
  return w === null ? null : { quantizer: q as AnyQuantizer, weight: w };
}

/** Weight-only max calibration (no data): each weight quantizer calibrated on its weight. */
export function calibrateWeightsOnly(model: Module): void {
  for (const [, m] of model.namedModules()) {
    const site = quantizedWeight(m);
    if (site !== null && tensorQuantizersOf(site.quantizer).some((q) => !q.disabled)) calibrateOnWeight(site.quantizer, site.weight);
  }
}
