// Whole-model calibration, as in the reference's user guide: switch every quantizer to
// collecting statistics, run data through the model, then load the calibrated amax and switch
// quantization back on. `calibrateWeights` sets weight amax from the weights alone.
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions, shapeSize } from '@pq/core';
import { HistogramCalibrator } from '@pq/calib';
import { prefixError } from './errors.js';
import type { Module } from './module.js';
import { TensorQuantizer } from './quant/tensor_quantizer.js';
import { ConvTransposeNd } from './layers/conv.js';

/** Every TensorQuantizer in the model by dotted name (`conv1._input_quantizer`), in model order. */
export function quantizers(model: Module): Map<string, TensorQuantizer> {
  const out = new Map<string, TensorQuantizer>();
  for (const [name, m] of model.namedModules()) if (m instanceof TensorQuantizer) out.set(name, m);
  return out;
}

// What each quantizer was before enableCalibration changed it, for finishCalibration to restore.
// Recorded once per calibration: a second enableCalibration keeps the states from before the first.
const beforeCalibration = new WeakMap<TensorQuantizer, { disabled: boolean; ifQuant: boolean }>();

/**
 * Puts every quantizer that has a calibrator into calibration (collect, don't quantize);
 * quantizers without one are disabled meanwhile. Run calibration data through the model next.
 * A quantizer that is disabled stays so and collects nothing (its forward returns x first).
 */
export function enableCalibration(model: Module): void {
  for (const q of quantizers(model).values()) {
    if (!beforeCalibration.has(q)) beforeCalibration.set(q, { disabled: q.disabled, ifQuant: q.ifQuant });
    if (q.calibrator !== null) {
      q.disableQuant();
      q.enableCalib();
    } else {
      q.disable();
    }
  }
}

export interface FinishCalibrationOptions {
  /** Percentile for method 'percentile' (default the calibrator's, 99.99). */
  percentile?: number;
  /** Bin stride for 'mse' / 'entropy' (default 1). */
  stride?: number;
  /** First candidate bin for 'mse' / 'entropy' (default 128). */
  startBin?: number;
}

/**
 * Ends calibration: every quantizer whose calibrator saw data loads its amax (max calibrators
 * their running max; histogram calibrators by `method`: 'entropy', 'mse' or 'percentile'),
 * then calibration is switched off and every quantizer gets back the state it had before
 * enableCalibration: one the user had disabled (or had stopped quantizing) stays so. A quantizer
 * put into calibration by hand (enableCalib, no enableCalibration) quantizes again, as in the
 * reference's calibration flow. Returns the names of the quantizers that got an amax.
 */
export function finishCalibration(
  model: Module,
  method: 'entropy' | 'mse' | 'percentile' = 'percentile',
  opts: FinishCalibrationOptions = {},
): string[] {
  const loaded: string[] = [];
  for (const [name, q] of quantizers(model)) {
    if (q.calibrator !== null && q.collectedBatches > 0) {
      try {
        if (q.calibrator instanceof HistogramCalibrator) q.loadCalibAmax(method, opts);
        else q.loadCalibAmax();
      } catch (e) {
        throw prefixError(e, `finishCalibration: ${name}`);
      }
      loaded.push(name);
    }
    restoreState(q);
  }
  return loaded;
}

function restoreState(q: TensorQuantizer): void {
  const before = beforeCalibration.get(q);
  beforeCalibration.delete(q);
  if (q.calibrator !== null) q.disableCalib();
  if (before === undefined) {
    if (q.calibrator !== null) q.enableQuant();
    return;
  }
  if (before.disabled) q.disable();
  else q.enable();
  if (before.ifQuant) q.enableQuant();
  else q.disableQuant();
}

export interface CalibrateWeightsOptions {
  /** 'max', 'mse' or 'percentile' (default 'percentile'). */
  method?: 'max' | 'mse' | 'percentile';
  /** One amax per output channel (axis 1 for transposed convolutions) or one per tensor (default true). */
  perchannel?: boolean;
  /** Percentile for 'percentile' (default 99.99). */
  percentile?: number;
  /** Histogram bins (default 2048). */
  numBins?: number;
}

/**
 * Sets every weight quantizer's amax from its module's weight: per channel, a histogram of
 * |w| over [0, max|w|] and the 'max', 'mse' or 'percentile' amax of it. Returns the names of
 * the modules calibrated.
 */
export function calibrateWeights(model: Module, o: CalibrateWeightsOptions = {}): string[] {
  checkOptions('calibrateWeights', o, { method: 'string', perchannel: 'boolean', percentile: 'number', numBins: 'integer' });
  const method = o.method ?? 'percentile';
  if (!['max', 'mse', 'percentile'].includes(method)) {
    throw new TypeError(`calibrateWeights: unsupported method '${method}' (use 'max', 'mse' or 'percentile')`);
  }
  const perchannel = o.perchannel ?? true;
  const percentile = o.percentile ?? 99.99;
  const numBins = o.numBins ?? 2048;
  const done: string[] = [];
  for (const [name, m] of model.namedModules()) {
    const q = (m as { _weight_quantizer?: unknown })._weight_quantizer;
    const w = (m as { weight?: unknown }).weight;
    if (!(q instanceof TensorQuantizer) || !(w instanceof tf.Tensor)) continue;
    const axis = perchannel ? (isChannelSecond(m) ? 1 : 0) : null;
    try {
      const channels = splitChannels(w.dataSync(), w.shape, axis);
      const amaxes = channels.map((c) => channelAmax(c, method, q, numBins, percentile));
      const shape = w.shape.map((d: number, i: number) => (i === axis ? d : 1));
      q.amax = axis === null ? amaxes[0]! : { data: Float32Array.from(amaxes), shape };
    } catch (e) {
      throw prefixError(e, `calibrateWeights: ${name === '' ? model.typeName : name}.weight`);
    }
    done.push(name);
  }
  return done;
}

/** Transposed convolutions keep output channels on axis 1 of their weight. */
function isChannelSecond(m: Module): boolean {
  return m instanceof ConvTransposeNd;
}

function splitChannels(values: ArrayLike<number>, shape: readonly number[], axis: number | null): Float32Array[] {
  if (axis === null) return [Float32Array.from(values)];
  const outer = shapeSize(shape.slice(0, axis));
  const n = shape[axis]!;
  const inner = shapeSize(shape.slice(axis + 1));
  const out = Array.from({ length: n }, () => new Float32Array(outer * inner));
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < n; c++) {
      const src = (o * n + c) * inner;
      out[c]!.set(Array.prototype.slice.call(values, src, src + inner) as number[], o * inner);
    }
  }
  return out;
}

function channelAmax(
  values: Float32Array,
  method: 'max' | 'mse' | 'percentile',
  q: TensorQuantizer,
  numBins: number,
  percentile: number,
): number {
  if (method === 'max') {
    let m = 0;
    for (const v of values) m = Math.max(m, Math.abs(v));
    return m;
  }
  const calibrator = new HistogramCalibrator({ numBits: q.numBits as number | [4, 3], unsigned: q.unsigned, numBins });
  calibrator.collect({ data: values, shape: [values.length] });
  const amax = method === 'mse' ? calibrator.computeAmax('mse') : calibrator.computeAmax('percentile', { percentile });
  if (amax === null) throw new Error('calibrateWeights: the histogram calibrator returned no amax');
  return amax;
}
