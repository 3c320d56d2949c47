// The linear layers SmoothQuant and AWQ work on: y = x Wᵀ + b with an input quantizer on x
// and a weight quantizer on W [out, in] — every QuantLinear, and the packed in-projection of a
// QuantMultiheadAttention called as self-attention (query = key = value). Their calls are
// intercepted through the module-call hook while the forward loop runs.
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module.js';
import { setModuleCallHook, type ModuleCallHook } from '../hooks.js';
import { QuantLinear } from '../quant/linear.js';
import { QuantMultiheadAttention } from '../quant/attention.js';
import { TensorQuantizer } from '../quant/tensor_quantizer.js';
import { linear } from '../functional/linear.js';
import { tensorQuantizersOf, type AnyQuantizer } from './quantizers.js';

export class LinearSite {
  constructor(
    readonly name: string,
    readonly module: QuantLinear | QuantMultiheadAttention,
  ) {}

  get inputQuantizer(): TensorQuantizer {
    return this.module._input_quantizer;
  }

  /** Replaces the input quantizer (a new axis or amax layout), disposing the old one. */
  set inputQuantizer(q: TensorQuantizer) {
    if (q === this.module._input_quantizer) return;
    this.module._input_quantizer.dispose();
    this.module._input_quantizer = q;
  }

  get weightQuantizer(): AnyQuantizer {
    return this.module._weight_quantizer as AnyQuantizer;
  }

  get weight(): tf.Variable {
    return this.module instanceof QuantLinear ? this.module.weight : this.module.in_proj_weight;
  }

  get bias(): tf.Variable | null {
    return this.module instanceof QuantLinear ? this.module.bias : this.module.in_proj_bias;
  }

  /** The weight quantizer's first block-wise TensorQuantizer, if any. */
  get blockQuantizer(): TensorQuantizer | null {
    return tensorQuantizersOf(this.weightQuantizer).find((q) => q.blockSizes !== null) ?? null;
  }

  get weightQuantized(): boolean {
    return tensorQuantizersOf(this.weightQuantizer).some((q) => !q.disabled);
  }

  /** This call's activation [..., in], or null when the site does not apply (cross-attention). */
  input(args: unknown[]): tf.Tensor | null {
    const x = args[0] as tf.Tensor;
    if (this.module instanceof QuantMultiheadAttention && (args[1] !== x || args[2] !== x)) return null;
    return x;
  }

  /** The float projection of x. */
  project(x: tf.Tensor, weight: tf.Tensor = this.weight): tf.Tensor {
    return linear(x, weight, this.bias);
  }

  /** Runs `f` with the site's own quantizers bypassed (its float output). */
  unquantized<T>(f: () => T): T {
    const qs = [this.inputQuantizer, ...tensorQuantizersOf(this.weightQuantizer)].filter((q) => !q.disabled);
    for (const q of qs) q.disable();
    try {
      return f();
    } finally {
      for (const q of qs) q.enable();
    }
  }
}

/** The model's linear sites, in model order. */
export function linearSites(model: Module): LinearSite[] {
  const out: LinearSite[] = [];
  for (const [name, m] of model.namedModules()) {
    if (m instanceof QuantLinear || m instanceof QuantMultiheadAttention) out.push(new LinearSite(name, m));
  }
  return out;
}

/**
 * Runs `loop` with calls of the sites going to `onCall(site, args, run)` (run = the layer's own
 * forward); other module calls go on as before.
 */
export function interceptSites<R>(sites: readonly LinearSite[], onCall: (site: LinearSite, args: unknown[], run: () => unknown) => unknown, loop: () => R): R {
  const bySite = new Map<Module, LinearSite>(sites.map((s) => [s.module, s]));
  let previous: ModuleCallHook | null = null;
  const hook: ModuleCallHook = (m, args, run) => {
    const site = bySite.get(m);
    if (site !== undefined) return onCall(site, args, run);
    return previous === null ? run() : previous(m, args, run);
  };
  previous = setModuleCallHook(hook);
  try {
    return loop();
  } finally {
    setModuleCallHook(previous);
  }
}
