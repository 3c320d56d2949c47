// The quantizers of a model as ModelOpt addresses them: every TensorQuantizer or
// SequentialQuantizer by its dotted name (those inside a SequentialQuantizer belong to it),
// their parents, and replacing one in place.
import type { Module } from '../module.js';
import { TensorQuantizer } from '../quant/tensor_quantizer.js';
import { SequentialQuantizer } from './sequential_quantizer.js';

export type AnyQuantizer = TensorQuantizer | SequentialQuantizer;

export interface QuantizerEntry {
  name: string;
  quantizer: AnyQuantizer;
  parent: Module;
  field: string;
}

/** Every quantizer (TensorQuantizer or SequentialQuantizer, not those inside one) in model order. */
export function quantizerEntries(model: Module): QuantizerEntry[] {
  const out: QuantizerEntry[] = [];
  const walk = (m: Module, prefix: string) => {
    for (const [field, child] of m.children()) {
      const name = prefix === '' ? field : `${prefix}.${field}`;
      if (child instanceof TensorQuantizer || child instanceof SequentialQuantizer) out.push({ name, quantizer: child, parent: m, field });
      else walk(child, name);
    }
  };
  walk(model, '');
  return out;
}

/** The TensorQuantizers of a quantizer (itself, or a SequentialQuantizer's). */
export function tensorQuantizersOf(q: AnyQuantizer): TensorQuantizer[] {
  return q instanceof SequentialQuantizer ? q.quantizers() : [q];
}

/** Puts `q` where the entry's quantizer was, disposing the old one. */
export function replaceQuantizer(e: QuantizerEntry, q: AnyQuantizer): void {
  if (e.quantizer === q) return;
  e.quantizer.dispose();
  (e.parent as unknown as Record<string, Module>)[e.field] = q;
  e.quantizer = q;
}

/** Whether any class in `m`'s prototype chain is called `name` (QuantConv2d counts as Conv2d). */
export function isClassNamed(m: Module, name: string): boolean {
  for (let p: unknown = Object.getPrototypeOf(m); p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if ((p as { constructor: { name: string } }).constructor.name === name) return true;
  }
  return false;
}
