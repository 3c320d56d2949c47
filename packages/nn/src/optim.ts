// The reference's optim helpers: pick parameters by name pattern (regular expressions searched
// anywhere in the dotted name, as Python's re.search), group them with per-group options,
// freeze them, and quantize weights in place.
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './module.js';
import { TensorQuantizer } from './quant/tensor_quantizer.js';

export type NamePattern = string | RegExp;

function toRegExp(p: NamePattern): RegExp {
  if (p instanceof RegExp) return p;
  if (typeof p !== 'string') throw new TypeError(`parameter name pattern must be a string or RegExp, got ${String(p)}`);
  return new RegExp(p);
}

/** Parameters whose dotted name matches any of `patterns`, in model order (each once). */
export function matchParameters(model: Module, patterns: readonly NamePattern[]): tf.Variable[] {
  const res = patterns.map(toRegExp);
  const out: tf.Variable[] = [];
  for (const [name, p] of model.namedParameters()) if (res.some((re) => re.test(name))) out.push(p);
  return out;
}

export interface ParameterGroup {
  params: tf.Variable[];
  lr?: number;
  momentum?: number;
  weightDecay?: number;
}

export interface GroupParametersOptions {
  lrs?: readonly number[];
  momentums?: readonly number[];
  weightDecays?: readonly number[];
}

/**
 * One group per list of patterns, with the matching parameters and, when given, that group's
 * lr / momentum / weightDecay (each list as long as `patternsList`). Patterns should be
 * exclusive; overlaps are not checked, as in the reference.
 */
export function groupParameters(
  model: Module,
  patternsList: readonly (readonly NamePattern[])[],
  o: GroupParametersOptions = {},
): ParameterGroup[] {
  const groups: ParameterGroup[] = patternsList.map((patterns, i) => {
    if (!Array.isArray(patterns)) throw new TypeError(`groupParameters: patternsList[${i}] must be a list of patterns`);
    return { params: matchParameters(model, patterns) };
  });
  const attach = (values: readonly number[] | undefined, what: string, key: 'lr' | 'momentum' | 'weightDecay'): void => {
    if (values === undefined) return;
    if (values.length !== patternsList.length) {
      throw new TypeError(`groupParameters: ${what} has ${values.length} entries, patternsList ${patternsList.length}`);
    }
    values.forEach((v, i) => (groups[i]![key] = v));
  };
  attach(o.lrs, 'lrs', 'lr');
  attach(o.momentums, 'momentums', 'momentum');
  attach(o.weightDecays, 'weightDecays', 'weightDecay');
  return groups;
}

/** Makes every parameter whose name matches a pattern untrainable; returns their names. */
export function freezeParameters(model: Module, patterns: readonly NamePattern[]): string[] {
  const res = patterns.map(toRegExp);
  const frozen: string[] = [];
  for (const [name, p] of model.namedParameters()) {
    if (res.some((re) => re.test(name))) {
      p.trainable = false;
      frozen.push(name);
    }
  }
  return frozen;
}

/**
 * Replaces every quantized module's weight by its weight quantizer's output (relax-and-round
 * style in-place quantization); returns the names of the modules changed.
 */
export function quantWeightInplace(model: Module): string[] {
  const done: string[] = [];
  for (const [name, m] of model.namedModules()) {
    const q = (m as { _weight_quantizer?: unknown })._weight_quantizer;
    const w = (m as { weight?: unknown }).weight;
    if (!(q instanceof TensorQuantizer) || !(w instanceof tf.Variable)) continue;
    tf.tidy(() => w.assign(q.call(w) as tf.Tensor));
    done.push(name);
  }
  return done;
}
