// The ModelOpt-style entry points: quantize(model, config, forwardLoop) replaces the float
// layers by quantized ones, sets every quantizer from config.quantCfg and calibrates with
// config.algorithm; calibrate() re-runs an algorithm; printQuantSummary / disableQuantizer /
// enableQuantizer inspect and switch quantizers by pattern.
import { describeValue } from '@pq/core';
import { Module } from '../module.js';
import { replaceWithQuant } from '../replace_with_quant.js';
import { TensorQuantizer } from '../quant/tensor_quantizer.js';
import {
  DEFAULT_DISABLED_QUANTIZER_CFG, resolveAlgorithm, resolveAttributes, type QuantCfg, type QuantizeAlgorithm, type QuantizeConfig,
  type QuantizerPattern, type ResolvedAttributes,
} from './config.js';
import { matchesPattern } from './patterns.js';
import { isClassNamed, quantizerEntries, replaceQuantizer, tensorQuantizersOf, type QuantizerEntry } from './quantizers.js';
import { SequentialQuantizer } from './sequential_quantizer.js';
import { calibrateWeightsOnly, maxCalibrate } from './stats.js';
import { smoothquant } from './smoothquant.js';
import { awqClip, awqLite } from './awq.js';

/** Runs calibration data through the model (ModelOpt's forward_loop). */
export type ForwardLoop = (model: Module) => void;

interface Rule {
  key: string;
  pattern: string;
  parentClass: string | null;
  attrs: ResolvedAttributes[] | ResolvedAttributes;
  /** From DEFAULT_DISABLED_QUANTIZER_CFG: no warning when it matches nothing. */
  quiet: boolean;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The config's entries as rules in application order ('default' first), every value checked. */
function rules(who: string, quantCfg: QuantCfg): Rule[] {
  if (quantCfg === null || typeof quantCfg !== 'object' || Array.isArray(quantCfg)) {
    throw new TypeError(`${who}: quantCfg must be an object mapping patterns to quantizer attributes, got ${describeValue(quantCfg)}`);
  }
  const resolve = (where: string, v: unknown) =>
    Array.isArray(v)
      ? v.map((a, i) => resolveAttributes(`${where}[${i}]`, a))
      : resolveAttributes(where, v);
  const out: Rule[] = [];
  const entries = Object.entries(quantCfg);
  const ordered = [...entries.filter(([k]) => k === 'default'), ...entries.filter(([k]) => k !== 'default')];
  for (const [key, value] of ordered) {
    const quiet = key in DEFAULT_DISABLED_QUANTIZER_CFG && sameValue(DEFAULT_DISABLED_QUANTIZER_CFG[key], value);
    if (key.startsWith('nn.')) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new TypeError(`${who}: quantCfg['${key}'] must map sub-patterns to attributes (e.g. { '*': { enable: false } })`);
      }
      for (const [sub, v] of Object.entries(value)) {
        out.push({ key, pattern: sub, parentClass: key.slice(3), attrs: resolve(`${who}: quantCfg['${key}']['${sub}']`, v), quiet });
      }
    } else {
      out.push({ key, pattern: key === 'default' ? '*' : key, parentClass: null, attrs: resolve(`${who}: quantCfg['${key}']`, value), quiet });
    }
  }
  return out;
}

function build(attrs: ResolvedAttributes | ResolvedAttributes[]): TensorQuantizer | SequentialQuantizer {
  const one = (a: ResolvedAttributes) => new TensorQuantizer(a.descriptor, { disabled: !a.enable });
  return Array.isArray(attrs) ? new SequentialQuantizer(attrs.map(one)) : one(attrs);
}

/**
 * Sets the model's quantizers from `quantCfg` (ModelOpt's set_quantizer_by_cfg): 'default'
 * applies to every quantizer first, then each pattern in order to the quantizers whose full
 * dotted name it matches (`nn.<Class>` keys: the quantizers of layers of that class), each
 * entry giving all attributes (missing ones at their defaults), so the last matching entry
 * decides. A list makes a SequentialQuantizer. Every entry is checked before anything changes;
 * a pattern that matches nothing is warned about. Returns the names of the quantizers set.
 */
export function setQuantizerByCfg(model: Module, quantCfg: QuantCfg, who = 'setQuantizerByCfg'): string[] {
  const all = rules(who, quantCfg);
  const entries = quantizerEntries(model);
  const chosen = new Map<QuantizerEntry, Rule>();
  for (const rule of all) {
    let matched = 0;
    for (const e of entries) {
      if (!matchesPattern(rule.pattern, e.name)) continue;
      if (rule.parentClass !== null && !isClassNamed(e.parent, rule.parentClass)) continue;
      chosen.set(e, rule);
      matched++;
    }
    if (matched === 0 && !rule.quiet && rule.key !== 'default') {
      console.warn(`${who}: quantCfg pattern '${rule.key}'${rule.parentClass === null ? '' : ` / '${rule.pattern}'`} matches no quantizer`);
    }
  }
  for (const [e, rule] of chosen) replaceQuantizer(e, build(rule.attrs));
  return [...chosen.keys()].map((e) => e.name);
}

/**
 * ModelOpt's mtq.quantize: replaces the float layers (Linear, Conv, MultiheadAttention, ...) by
 * quantized ones in place, sets the quantizers from `config.quantCfg`, calibrates with
 * `config.algorithm` (default 'max') running `forwardLoop(model)`, and returns the model. A
 * model that already has quantizers is refused (calibrate() re-calibrates it).
 */
export function quantize(model: Module, config: QuantizeConfig, forwardLoop?: ForwardLoop): Module {
  const who = 'quantize';
  if (!(model instanceof Module)) throw new TypeError(`${who}: model must be a Module, got ${describeValue(model)}`);
  if (config === null || typeof config !== 'object' || !('quantCfg' in config)) {
    throw new TypeError(`${who}: config must be { quantCfg, algorithm? } (e.g. INT8_DEFAULT_CFG), got ${describeValue(config)}`);
  }
  const unknown = Object.keys(config).filter((k) => k !== 'quantCfg' && k !== 'algorithm');
  if (unknown.length > 0) throw new TypeError(`${who}: unknown config key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (accepted: quantCfg, algorithm)`);
  const existing = quantizerEntries(model);
  if (existing.length > 0) {
    throw new Error(
      `${who}: the model is already quantized (${existing.length} quantizers, e.g. '${existing[0]!.name}'); ` +
        'quantizing it again is refused. Use calibrate(model, algorithm, forwardLoop) to re-calibrate, or start from the float model.',
    );
  }
  rules(who, config.quantCfg);
  const algorithm = resolveAlgorithm(who, config.algorithm === undefined ? 'max' : config.algorithm);
  if (algorithm !== null && algorithm.method !== 'max' && typeof forwardLoop !== 'function') {
    throw new TypeError(`${who}: algorithm '${algorithm.method}' needs a forwardLoop (a function running calibration data through the model)`);
  }
  replaceWithQuant(model);
  setQuantizerByCfg(model, config.quantCfg, who);
  calibrate(model, algorithm, forwardLoop);
  return model;
}

/**
 * Calibrates a quantized model (ModelOpt's mtq.calibrate): 'max' (without a loop: from the
 * weights alone), 'smoothquant', 'awq_lite', 'awq_clip', 'awq_full' (lite then clip), a
 * `{ method, ...options }`, or null to do nothing.
 */
export function calibrate(model: Module, algorithm: QuantizeAlgorithm | undefined = 'max', forwardLoop?: ForwardLoop): void {
  const a = resolveAlgorithm('calibrate', algorithm ?? 'max');
  if (a === null) return;
  if (forwardLoop !== undefined && typeof forwardLoop !== 'function') {
    throw new TypeError(`calibrate: forwardLoop must be a function (model) => void, got ${describeValue(forwardLoop)}`);
  }
  if (a.method === 'max' && forwardLoop === undefined) {
    calibrateWeightsOnly(model);
    return;
  }
  if (forwardLoop === undefined) throw new TypeError(`calibrate: algorithm '${a.method}' needs a forwardLoop`);
  const loop = () => forwardLoop(model);
  switch (a.method) {
    case 'max':
      maxCalibrate(model, loop);
      return;
    case 'smoothquant':
      smoothquant(model, loop, a.alpha ?? 0.5);
      return;
    case 'awq_lite':
      awqLite(model, loop, a.alphaStep ?? 0.1);
      return;
    case 'awq_clip':
      awqClip(model, loop, a);
      return;
    case 'awq_full':
      awqLite(model, loop, a.alphaStep ?? 0.1);
      awqClip(model, loop, a);
  }
}

/** Every TensorQuantizer with its state, one line each, then the count (ModelOpt's print_quant_summary). Prints and returns it. */
export function printQuantSummary(model: Module): string {
  const lines: string[] = [];
  const named = [...model.namedModules()].filter((e): e is [string, TensorQuantizer] => e[1] instanceof TensorQuantizer);
  const width = Math.max(0, ...named.map(([n]) => n.length));
  for (const [name, q] of named) lines.push(`${name.padEnd(width)}  ${q.toString()}`);
  lines.push(`${named.length} TensorQuantizers found in model`);
  const text = lines.join('\n');
  console.log(text);
  return text;
}

function switchQuantizers(who: string, model: Module, pattern: QuantizerPattern, on: boolean): string[] {
  const names: string[] = [];
  for (const e of quantizerEntries(model)) {
    if (!matchesPattern(pattern, e.name)) continue;
    for (const q of tensorQuantizersOf(e.quantizer)) (on ? q.enable() : q.disable());
    names.push(e.name);
  }
  if (names.length === 0) console.warn(`${who}: pattern ${typeof pattern === 'string' ? `'${pattern}'` : 'function'} matches no quantizer`);
  return names;
}

/** Disables the quantizers whose name matches `pattern` (a wildcard or a filter); returns their names. */
export function disableQuantizer(model: Module, pattern: QuantizerPattern): string[] {
  return switchQuantizers('disableQuantizer', model, pattern, false);
}

/** Enables the quantizers whose name matches `pattern`; returns their names. */
export function enableQuantizer(model: Module, pattern: QuantizerPattern): string[] {
  return switchQuantizers('enableQuantizer', model, pattern, true);
}
