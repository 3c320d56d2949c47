// AWQ (Lin et al. 2023) as ModelOpt's awq_lite / awq_clip run it, per linear layer:
// - lite: with x̄_j the mean |x_j| over the calibration tokens and w̄_j the mean over rows of
//   |W_ij| / (its block's amax), try s = x̄^alpha / w̄^(1 - alpha) (clamped to [1e-4, 1e4],
//   normalised by sqrt(max s · min s)) for alpha on a grid in [0, 1]; keep the s whose output
//   x·diag(1/s) · Q(W·diag(s))ᵀ has the least mean squared error to the float output; fold 1/s
//   into the input quantizer's preQuantScale and s into the weight.
// - clip: per block of each weight row, try amax · r for r in [minClipRatio, 1) and 1; keep
//   the r whose block's partial products with (up to maxTokensPerBatch) calibration tokens
//   per batch have the least squared error.
// During the loops every layer returns its float output, as in ModelOpt.
import * as tf from '@tensorflow/tfjs-core';
import { blockAxes, reduceBlockAmax } from '@pq/core';
import type { Module } from '../module.js';
import { calibrateOnWeight, enableStats, finishStats } from './stats.js';
import { interceptSites, linearSites, type LinearSite } from './sites.js';
import { tensorQuantizersOf } from './quantizers.js';
import { applyPreQuantScale } from './smoothquant.js';

const F32_TINY = 1.1754943508222875e-38;

/** The grid 0, step, 2 step, ..., 1 (as torch.arange(0, 1 + step, step)). */
export function alphaGrid(step: number): number[] {
  const n = Math.floor(1 / step + 1e-9);
  return Array.from({ length: n + 1 }, (_, k) => Math.min(Number((k * step).toFixed(10)), 1));
}

/** min, min + step, ... below 1, rounded to 2 decimals, then 1 (ModelOpt's clip ratios). */
export function clipRatios(min: number, step: number): number[] {
  const out: number[] = [];
  for (let k = 0; min + k * step < 1 - 1e-9; k++) out.push(Math.round((min + k * step) * 100) / 100);
  return [...out, 1];
}

/** The block length along the last axis of the site's weight quantizer (the row when not blocked). */
function blockLength(site: LinearSite): number {
  const inF = site.weight.shape[1]!;
  const q = site.blockQuantizer;
  if (q === null) return inF;
  const axes = blockAxes(q.blockSizes!);
  const keys = Object.keys(axes);
  if (keys.length !== 1 || (keys[0] !== '-1' && keys[0] !== '1')) {
    throw new Error(`awq: ${site.name}: AWQ needs blocks along the weight's last axis only, got blockSizes ${JSON.stringify(q.blockSizes)}`);
  }
  return (axes[-1] ?? axes[1]) ?? inF;
}

/** w̄_j: mean over rows of |W_ij| / (amax of W_ij's block + tiny). */
export function awqWeightScale(w: Float32Array, out: number, inF: number, block: number): Float64Array {
  const scale = new Float64Array(inF);
  for (let i = 0; i < out; i++) {
    for (let b = 0; b < inF; b += block) {
      const end = Math.min(b + block, inF);
      let m = 0;
      for (let j = b; j < end; j++) m = Math.max(m, Math.abs(w[i * inF + j]!));
      for (let j = b; j < end; j++) scale[j]! += Math.fround(Math.abs(w[i * inF + j]!) / Math.fround(m + F32_TINY));
    }
  }
  for (let j = 0; j < inF; j++) scale[j]! /= out;
  return scale;
}

/** s for one alpha: x̄^alpha / (w̄^(1 - alpha) + tiny), clamped to [1e-4, 1e4], over sqrt(max · min). */
export function awqScale(actScale: ArrayLike<number>, weightScale: ArrayLike<number>, alpha: number): Float32Array {
  const s = new Float64Array(actScale.length);
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < s.length; j++) {
    const v = Math.min(Math.max(actScale[j]! ** alpha / (weightScale[j]! ** (1 - alpha) + F32_TINY), 1e-4), 1e4);
    s[j] = v;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const norm = Math.sqrt(hi * lo);
  return Float32Array.from(s, (v) => v / norm);
}

/** The rows of x [..., in] as [T, in] values. */
function rowsOf(x: tf.Tensor): { data: Float32Array; rows: number } {
  const inF = x.shape[x.rank - 1]!;
  const data = Float32Array.from(x.dataSync());
  return { data, rows: data.length / inF };
}

interface LiteState {
  site: LinearSite;
  enabled: boolean;
  inputQuantized: boolean;
  block: number;
  weightScale: Float64Array;
  actScale: Float64Array;
  actAmax: Float64Array;
  cacheSteps: number;
  searchSteps: number;
  loss: Map<number, number>;
}

export interface AwqLiteResult {
  /** The alpha chosen per layer (null where AWQ did not apply and max calibration was used). */
  alpha: Record<string, number | null>;
  /** The layer-output MSE of each alpha tried, per layer. */
  loss: Record<string, Record<string, number>>;
}

export function awqLite(model: Module, loop: () => void, alphaStep = 0.1): AwqLiteResult {
  const alphas = alphaGrid(alphaStep);
  const states: LiteState[] = [];
  for (const site of linearSites(model)) {
    if (!site.weightQuantized) continue;
    const [out, inF] = site.weight.shape as [number, number];
    const iq = site.inputQuantizer;
    const inputQuantized = !iq.disabled;
    const block = blockLength(site);
    states.push({
      site, inputQuantized, block, enabled: !(inputQuantized && (iq.axis !== null || iq.blockSizes !== null)),
      weightScale: awqWeightScale(site.weight.dataSync() as Float32Array, out, inF, block),
      actScale: new Float64Array(inF), actAmax: new Float64Array(inF), cacheSteps: 0, searchSteps: 0,
      loss: new Map(alphas.map((a) => [a, 0])),
    });
    if (inputQuantized) iq.disable();
  }
  const bySite = new Map(states.map((st) => [st.site, st]));

  // Pass 1: the activation statistics (and every other quantizer's calibration).
  const round = enableStats(model);
  try {
    interceptSites(states.map((st) => st.site), (site, args, run) => {
      const st = bySite.get(site)!;
      const x = site.input(args);
      if (x === null) st.enabled = false;
      else {
        const { data, rows } = rowsOf(x);
        const inF = st.actScale.length;
        for (let t = 0; t < rows; t++) {
          for (let j = 0; j < inF; j++) {
            const v = Math.abs(data[t * inF + j]!);
            st.actScale[j]! += v / rows;
            if (v > st.actAmax[j]!) st.actAmax[j] = v;
          }
        }
        st.cacheSteps++;
      }
      return site.unquantized(run);
    }, loop);
  } finally {
    finishStats(round);
  }
  for (const st of states) {
    for (let j = 0; j < st.actScale.length; j++) st.actScale[j]! /= Math.max(st.cacheSteps, 1);
    if (st.actScale.some(Number.isNaN) || st.weightScale.some(Number.isNaN)) st.enabled = false;
  }

  // Pass 2: the output error of each alpha.
  interceptSites(states.filter((st) => st.enabled && st.cacheSteps > 0).map((st) => st.site), (site, args, run) => {
    const st = bySite.get(site)!;
    const x = site.input(args);
    if (x !== null) {
      tf.tidy(() => {
        const ref = site.project(x);
        for (const alpha of alphas) {
          const s = tf.tensor(awqScale(st.actScale, st.weightScale, alpha), [1, st.actScale.length], 'float32');
          // Q(W·diag(s)) with the amax of the scaled weight itself (round to nearest).
          const scaled = tf.mul(site.weight, s);
          calibrateOnWeight(site.weightQuantizer, scaled);
          const qw = site.weightQuantizer.call(scaled) as tf.Tensor;
          const y = site.project(tf.mul(x, tf.div(1, s)), qw);
          const d = tf.sub(y, ref);
          st.loss.set(alpha, st.loss.get(alpha)! + (tf.mean(tf.mul(d, d)).dataSync()[0] ?? 0));
        }
      });
      st.searchSteps++;
    }
    return site.unquantized(run);
  }, loop);

  const result: AwqLiteResult = { alpha: {}, loss: {} };
  for (const st of states) {
    const { site } = st;
    if (st.enabled && st.cacheSteps > 0 && st.searchSteps === 0) {
      console.warn(`awq_lite: the second run of the forward loop sent no data through ${site.name}; it must forward data every time it is called`);
    }
    const use = st.enabled && st.cacheSteps > 0 && st.searchSteps > 0;
    let best: number | null = null;
    if (use) for (const [a, l] of st.loss) if (best === null || l < st.loss.get(best)!) best = a;
    result.alpha[site.name] = best;
    result.loss[site.name] = Object.fromEntries([...st.loss].map(([a, l]) => [String(a), l]));
    if (best === null) {
      if (st.cacheSteps > 0) console.warn(`awq_lite: ${site.name} quantized with max calibration (AWQ did not apply)`);
      if (st.inputQuantized) site.inputQuantizer.enable();
      calibrateOnWeight(site.weightQuantizer, site.weight);
      continue;
    }
    const s = awqScale(st.actScale, st.weightScale, best);
    const p = Float32Array.from(s, (v) => 1 / v);
    let inputAmax: number | null = null;
    if (st.inputQuantized && st.cacheSteps > 0) {
      inputAmax = 0;
      for (let j = 0; j < p.length; j++) inputAmax = Math.max(inputAmax, Math.fround(Math.fround(st.actAmax[j]!) * p[j]!));
    }
    applyPreQuantScale(site, p, inputAmax, st.inputQuantized);
  }
  return result;
}

export interface AwqClipResult {
  /** The clip ratio chosen per block, per layer ([out, blocks] row-major). */
  ratio: Record<string, Float32Array>;
}

export function awqClip(model: Module, loop: () => void, o: { maxTokensPerBatch?: number; minClipRatio?: number; shrinkStep?: number } = {}): AwqClipResult {
  const maxTokens = o.maxTokensPerBatch ?? 64;
  const ratios = clipRatios(o.minClipRatio ?? 0.5, o.shrinkStep ?? 0.05);
  interface ClipState { site: LinearSite; block: number; wAmax: Float32Array; loss: Float64Array[]; tokens: number; disabled: boolean[] }
  const states: ClipState[] = [];
  for (const site of linearSites(model)) {
    const bq = site.blockQuantizer;
    if (!site.weightQuantized || bq === null || bq.disabled) continue;
    const block = blockLength(site);
    const [out, inF] = site.weight.shape as [number, number];
    const w = { data: Float32Array.from(site.weight.dataSync()), shape: [out, inF] };
    const wAmax = reduceBlockAmax(w, { [-1]: block }).data;
    states.push({ site, block, wAmax, loss: ratios.map(() => new Float64Array(wAmax.length)), tokens: 0, disabled: [] });
  }
  const bySite = new Map(states.map((st) => [st.site, st]));
  // The searched weight quantizers keep quantizing (they are left out of the statistics round).
  const searched = states.flatMap((st) => tensorQuantizersOf(st.site.weightQuantizer).filter((q) => !q.disabled));
  for (const q of searched) q.disable();
  const round = enableStats(model);
  for (const q of searched) q.enable();
  try {
    interceptSites(states.map((st) => st.site), (site, args, run) => {
      const st = bySite.get(site)!;
      const x = site.input(args);
      if (x !== null) clipSearch(st, x, maxTokens, ratios);
      return site.unquantized(run);
    }, loop);
  } finally {
    finishStats(round);
  }
  const result: AwqClipResult = { ratio: {} };
  for (const st of states) {
    if (st.tokens === 0) continue;
    const best = new Float32Array(st.wAmax.length);
    const bestLoss = new Float64Array(st.wAmax.length).fill(Infinity);
    ratios.forEach((r, k) => {
      const l = st.loss[k]!;
      for (let b = 0; b < best.length; b++) {
        if (l[b]! < bestLoss[b]!) {
          bestLoss[b] = l[b]!;
          best[b] = r;
        }
      }
    });
    const bq = st.site.blockQuantizer!;
    const [out] = st.site.weight.shape as [number, number];
    bq.amax = { data: Float32Array.from(st.wAmax, (a, b) => Math.fround(a * best[b]!)), shape: [out, st.wAmax.length / out] };
    result.ratio[st.site.name] = best;
  }
  return result;

  function clipSearch(st: ClipState, x: tf.Tensor, max: number, rs: number[]): void {
    const site = st.site;
    const [out, inF] = site.weight.shape as [number, number];
    const pqs = site.inputQuantizer.preQuantScale;
    const xs = pqs === null ? rowsOf(x) : tf.tidy(() => rowsOf(tf.mul(x, pqs)));
    const step = Math.max(1, Math.floor(xs.rows / max));
    const picked: number[] = [];
    for (let t = 0; t < xs.rows; t += step) picked.push(t);
    st.tokens += picked.length;
    const w = site.weight.dataSync() as Float32Array;
    const nb = Math.ceil(inF / st.block);
    const bq = site.blockQuantizer!;
    const saved = bq.amax === null ? null : Float32Array.from(bq.amax.dataSync());
    rs.forEach((r, k) => {
      // float32 math, as ModelOpt's w_amax * shrink on a float32 tensor.
      bq.amax = { data: Float32Array.from(st.wAmax, (a) => Math.fround(a * Math.fround(r))), shape: [out, nb] };
      const qw = tf.tidy(() => Float32Array.from((site.weightQuantizer.call(site.weight) as tf.Tensor).dataSync()));
      const loss = st.loss[k]!;
      for (let i = 0; i < out; i++) {
        for (let b = 0; b < nb; b++) {
          const lo = b * st.block;
          const hi = Math.min(lo + st.block, inF);
          let sum = 0;
          for (const t of picked) {
            let d = 0;
            for (let j = lo; j < hi; j++) d += xs.data[t * inF + j]! * (w[i * inF + j]! - qw[i * inF + j]!);
            sum += d * d;
          }
          loss[i * nb + b]! += sum / picked.length;
        }
      }
    });
    if (saved !== null) bq.amax = { data: saved, shape: [out, nb] };
  }
}
