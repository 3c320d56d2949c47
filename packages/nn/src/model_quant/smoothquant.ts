// SmoothQuant (Xiao et al. 2022) as ModelOpt runs it: calibrate every linear's input per
// channel, then per input channel j with s_j = max|X_j|^alpha / max|W_:,j|^(1 - alpha), fold 1/s into the
// input quantizer's preQuantScale and s into the weight (W ← W · diag(s)); the input amax
// becomes the per-tensor max of the smoothed activation and the weight amax is recalibrated.
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module.js';
import { TensorQuantizer } from '../quant/tensor_quantizer.js';
import { calibrateOnWeight, maxCalibrate } from './stats.js';
import { tensorQuantizersOf } from './quantizers.js';
import { linearSites, type LinearSite } from './sites.js';

/** Channels whose activation amax is at most this keep scale 1 (their scale would overflow). */
const ZERO_ACT = 2 ** -31;

/** max_i |W[i, j]| for W [out, in]. */
export function columnAbsMax(w: Float32Array, out: number, inF: number): Float64Array {
  const m = new Float64Array(inF);
  for (let i = 0; i < out; i++) for (let j = 0; j < inF; j++) m[j] = Math.max(m[j]!, Math.abs(w[i * inF + j]!));
  return m;
}

/**
 * The input quantizer's preQuantScale, 1/s_j = max|W_:,j|^(1 - alpha) / max|X_j|^alpha (float32),
 * 1 where the activation is zero, clamped to [1e-4, 1e4].
 */
export function smoothingScale(actAmax: ArrayLike<number>, wMax: ArrayLike<number>, alpha: number): Float32Array {
  const out = new Float32Array(actAmax.length);
  for (let j = 0; j < out.length; j++) {
    const a = actAmax[j]!;
    const v = a <= ZERO_ACT ? 1 : wMax[j]! ** (1 - alpha) / a ** alpha;
    out[j] = Math.min(Math.max(v, 1e-4), 1e4);
  }
  return out;
}

/** Folds an input pre-scale `p` (length in) into a site: x·p into the quantizer, W·(1/p) into the weight; recalibrates the weight. */
export function applyPreQuantScale(site: LinearSite, p: Float32Array, inputAmax: number | null, enableInput: boolean): void {
  const iq = site.inputQuantizer;
  const perTensor = new TensorQuantizer(iq.descriptor.with({ axis: null }), { disabled: !enableInput });
  if (inputAmax !== null) perTensor.amax = inputAmax;
  perTensor.preQuantScale = p;
  site.inputQuantizer = perTensor;
  const inF = p.length;
  tf.tidy(() => site.weight.assign(tf.mul(site.weight, tf.div(1, tf.tensor(p, [1, inF], 'float32')))));
  calibrateOnWeight(site.weightQuantizer, site.weight);
}

export function smoothquant(model: Module, loop: () => void, alpha = 0.5): string[] {
  const sites = linearSites(model).filter((s) => !s.inputQuantizer.disabled && s.inputQuantizer.axis === null && s.inputQuantizer.blockSizes === null);
  for (const s of sites) s.inputQuantizer = new TensorQuantizer(s.inputQuantizer.descriptor.with({ axis: -1 }));
  maxCalibrate(model, loop);
  const smoothed: string[] = [];
  for (const s of sites) {
    const iq = s.inputQuantizer;
    const amax = iq.amax === null ? null : Float32Array.from(iq.amax.dataSync());
    const perTensorAmax = amax === null ? null : Math.max(...amax);
    const eight = iq.numBits === 8 && tensorQuantizersOf(s.weightQuantizer).every((q) => q.numBits === 8);
    if (amax === null || !eight) {
      console.warn(`smoothquant: ${s.name} ${amax === null ? 'saw no calibration data' : 'is not INT8 (SmoothQuant smooths INT8 layers)'}; not smoothed`);
      const back = new TensorQuantizer(iq.descriptor.with({ axis: null }));
      if (perTensorAmax !== null) back.amax = perTensorAmax;
      s.inputQuantizer = back;
      continue;
    }
    const [out, inF] = s.weight.shape as [number, number];
    const p = smoothingScale(amax, columnAbsMax(s.weight.dataSync() as Float32Array, out, inF), alpha);
    let smoothedAmax = 0;
    for (let j = 0; j < inF; j++) smoothedAmax = Math.max(smoothedAmax, Math.fround(amax[j]! * p[j]!));
    applyPreQuantScale(s, p, smoothedAmax, true);
    smoothed.push(s.name);
  }
  return smoothed;
}
