// --quant-config: ModelOpt-style quantization of the float model (`quantize(model, config,
// forwardLoop)` from @pq/nn) with its presets, next to the reference's PTQ. Each config starts
// from the trained float weights in a float copy of the model, calibrates on the same training
// batches as the reference's PTQ, and is evaluated (and, with --evaluate-onnx, exported and run
// in ONNX Runtime). int4_rtn / int4_awq and their 3-bit forms compare round-to-nearest with AWQ
// at the same weight format.
import * as tf from '@tensorflow/tfjs-core';
import {
  FP8_DEFAULT_CFG, INT4_AWQ_CFG, INT4_BLOCKWISE_WEIGHT_ONLY_CFG, INT8_DEFAULT_CFG, INT8_SMOOTHQUANT_CFG, W4A8_AWQ_BETA_CFG, type Module,
  type QuantizeConfig, type QuantizerAttributes, quantize,
} from '@pq/nn';
import { QUANT_CONFIG_NAMES, type QuantConfigName } from './args.js';

export interface QuantConfigEntry {
  readonly config: QuantizeConfig;
  /** What it quantizes, for the tables. */
  readonly what: string;
  /** Weight bits of the weight-only configs that compare RTN with AWQ, else null. */
  readonly weightOnlyBits: number | null;
  /** How its calibration chooses scales. */
  readonly method: 'rtn' | 'awq' | 'other';
}

/** A preset with 3-bit weights instead of 4 (the blocks and the algorithm kept). */
function threeBit(p: QuantizeConfig): QuantizeConfig {
  const w = p.quantCfg['*weight_quantizer'] as QuantizerAttributes;
  return { ...p, quantCfg: { ...p.quantCfg, '*weight_quantizer': { ...w, numBits: 3 } } };
}

/** The configs by --quant-config name, in the order they run. */
export const QUANT_CONFIGS: Readonly<Record<QuantConfigName, QuantConfigEntry>> = {
  int8: { config: INT8_DEFAULT_CFG, what: 'INT8_DEFAULT_CFG: int8 weights per channel, int8 inputs per tensor, max', weightOnlyBits: null, method: 'other' },
  int8_smoothquant: { config: INT8_SMOOTHQUANT_CFG, what: 'INT8_SMOOTHQUANT_CFG: INT8_DEFAULT_CFG after SmoothQuant (alpha 0.5)', weightOnlyBits: null, method: 'other' },
  fp8: { config: FP8_DEFAULT_CFG, what: 'FP8_DEFAULT_CFG: E4M3 weights and inputs per tensor, max', weightOnlyBits: null, method: 'other' },
  int4_rtn: { config: INT4_BLOCKWISE_WEIGHT_ONLY_CFG, what: 'INT4_BLOCKWISE_WEIGHT_ONLY_CFG: int4 weights in blocks of 128, round to nearest (max)', weightOnlyBits: 4, method: 'rtn' },
  int4_awq: { config: INT4_AWQ_CFG, what: 'INT4_AWQ_CFG: int4 weights in blocks of 128, AWQ-lite scales', weightOnlyBits: 4, method: 'awq' },
  w4a8_awq: { config: W4A8_AWQ_BETA_CFG, what: 'W4A8_AWQ_BETA_CFG: int4 block weights then FP8, FP8 inputs, AWQ-lite', weightOnlyBits: null, method: 'other' },
  int3_rtn: { config: threeBit(INT4_BLOCKWISE_WEIGHT_ONLY_CFG), what: 'int4_rtn with 3-bit weights', weightOnlyBits: 3, method: 'rtn' },
  int3_awq: { config: threeBit(INT4_AWQ_CFG), what: 'int4_awq with 3-bit weights', weightOnlyBits: 3, method: 'awq' },
};


/** The algorithm's name as the table shows it ('max', 'smoothquant', 'awq_lite', ...). */
export function algorithmName(c: QuantizeConfig): string {
  const a = c.algorithm === undefined ? 'max' : c.algorithm;
  if (a === null) return 'none';
  return typeof a === 'string' ? a : a.method;
}

/** RTN against AWQ at each weight-only bit width both ran at. */
export interface RtnVsAwq {
  bits: number;
  rtn: number;
  awq: number;
}

export function rtnVsAwq(accuracy: Readonly<Record<string, number>>): RtnVsAwq[] {
  const out: RtnVsAwq[] = [];
  for (const bits of [4, 3]) {
    const find = (method: 'rtn' | 'awq') => QUANT_CONFIG_NAMES.find((n) => QUANT_CONFIGS[n].weightOnlyBits === bits && QUANT_CONFIGS[n].method === method && n in accuracy);
    const rtn = find('rtn');
    const awq = find('awq');
    if (rtn !== undefined && awq !== undefined) out.push({ bits, rtn: accuracy[rtn]!, awq: accuracy[awq]! });
  }
  return out;
}

/**
 * Quantizes `model` (a float model holding the trained weights) with the config `name`,
 * running `batches` through it as ModelOpt's forward_loop (eval mode, as calibration runs).
 */
export function applyQuantConfig(model: Module, name: QuantConfigName, batches: () => Iterable<tf.Tensor>): Module {
  const entry = QUANT_CONFIGS[name];
  if (entry === undefined) throw new Error(`unknown quant config '${name}' (known: ${QUANT_CONFIG_NAMES.join(', ')})`);
  model.eval();
  return quantize(model, entry.config, (m) => {
    for (const x of batches()) tf.tidy(() => void m.call(x));
  });
}
