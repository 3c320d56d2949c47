// The base of every layer, shaped like PyTorch's nn.Module: a module's own fields are its
// state. A field holding a Module is a submodule, a tf.Variable made with `parameter()` is a
// parameter, one made with `buffer()` is a buffer; the dotted field paths are the state-dict
// keys (`conv1.weight`, `conv1._input_quantizer._amax`), so checkpoints move to and from
// PyTorch without a mapping table. Fields holding null/undefined (an absent bias, an amax not
// yet set) are simply absent from the state.
import * as tf from '@tensorflow/tfjs-core';
import { formatShape, sameShape, type NDArray } from '@pq/core';
import { runModuleCall } from './hooks.js';

const BUFFERS = new WeakSet<tf.Variable>();

/** A trainable parameter (PyTorch's nn.Parameter). */
export function parameter(value: tf.Tensor, name?: string): tf.Variable {
  return tf.variable(value, true, name === undefined ? undefined : uniqueName(name));
}

/** A buffer: state that is saved and loaded but not trained (PyTorch's register_buffer). */
export function buffer(value: tf.Tensor, name?: string): tf.Variable {
  const v = tf.variable(value, false, name === undefined ? undefined : uniqueName(name));
  BUFFERS.add(v);
  return v;
}

export function isBuffer(v: unknown): v is tf.Variable {
  return v instanceof tf.Variable && BUFFERS.has(v);
}

export function isParameter(v: unknown): v is tf.Variable {
  return v instanceof tf.Variable && !BUFFERS.has(v);
}

let nameCounter = 0;
function uniqueName(base: string): string {
  nameCounter += 1;
  return `${base}_${nameCounter}`;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Raised by `loadStateDict` in strict mode; lists every problem by key. */
export class StateDictError extends Error {
  constructor(
    readonly missingKeys: string[],
    readonly unexpectedKeys: string[],
    readonly shapeMismatches: string[],
  ) {
    const parts: string[] = [];
    if (missingKeys.length) parts.push(`missing keys: ${missingKeys.join(', ')}`);
    if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    if (shapeMismatches.length) parts.push(`shape mismatches: ${shapeMismatches.join('; ')}`);
    super(`Error(s) in loading state dict: ${parts.join('; ')}`);
    this.name = 'StateDictError';
  }
}

export abstract class Module {
  /** Training mode (dropout active, quantizers' training behaviour); toggled by train()/eval(). */
  training = true;

  abstract forward(...args: any[]): any;

  /** Runs `forward` (through the tracing hook when one is installed, e.g. during ONNX export). */
  call(...args: any[]): any {
    return runModuleCall(this, args, () => this.forward(...args));
  }

  /** Sets training mode on this module and every submodule. */
  train(on = true): this {
    for (const [, m] of this.namedModules()) m.training = on;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Direct submodules, in field order. */
  *children(): Generator<[string, Module]> {
    for (const [key, value] of this.ownEntries()) if (value instanceof Module) yield [key, value];
  }

  /** This module ('' ) and every submodule, depth first, with dotted paths. */
  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.children()) yield* child.namedModules(joinPath(prefix, name));
  }

  *namedParameters(prefix = ''): Generator<[string, tf.Variable]> {
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [key, value] of m.ownEntries()) if (isParameter(value)) yield [joinPath(path, key), value];
    }
  }

  *namedBuffers(prefix = ''): Generator<[string, tf.Variable]> {
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [key, value] of m.ownEntries()) if (isBuffer(value)) yield [joinPath(path, key), value];
    }
  }

  parameters(): tf.Variable[] {
    return [...this.namedParameters()].map(([, v]) => v);
  }

  /** Calls `fn` on every submodule (children first) and then on this module, as PyTorch does. */
  apply(fn: (m: Module) => void): this {
    for (const [, child] of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Parameters and buffers by dotted PyTorch path, copied out as float32 arrays. */
  stateDict(): Record<string, NDArray> {
    const out: Record<string, NDArray> = {};
    for (const [path, m] of this.namedModules()) {
      for (const [key, value] of m.ownEntries()) {
        if (value instanceof tf.Variable) {
          out[joinPath(path, key)] = { data: Float32Array.from(value.dataSync()), shape: [...value.shape] };
        }
      }
    }
    return out;
  }

  /**
   * Loads parameters and buffers by dotted path. In strict mode (default) a missing key, an
   * unexpected key or a shape mismatch throws a StateDictError naming each; otherwise missing
   * and unexpected keys are returned (shape mismatches always throw).
   */
  loadStateDict(dict: Record<string, NDArray>, o: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = o.strict ?? true;
    const missingKeys: string[] = [];
    const shapeMismatches: string[] = [];
    const used = new Set<string>();
    const modules = [...this.namedModules()];
    // Validate everything before assigning anything, so a failed load changes nothing.
    const assignments: Array<() => void> = [];
    for (const [path, m] of modules) {
      const prefix = path === '' ? '' : `${path}.`;
      m.loadOwnState(prefix, dict, { missingKeys, shapeMismatches, used, assignments });
    }
    const unexpectedKeys = Object.keys(dict).filter((k) => !used.has(k));
    if (shapeMismatches.length > 0 || (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0))) {
      throw new StateDictError(missingKeys, unexpectedKeys, shapeMismatches);
    }
    for (const assign of assignments) assign();
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Loads this module's own parameters and buffers from `dict` (keys `prefix + field`).
   * Override to accept state that is created on load (e.g. a quantizer's `_amax`), as
   * PyTorch modules override `_load_from_state_dict`; call `super.loadOwnState` for the rest.
   */
  protected loadOwnState(prefix: string, dict: Record<string, NDArray>, ctx: LoadContext): void {
    for (const [field, value] of this.ownEntries()) {
      if (!(value instanceof tf.Variable)) continue;
      const key = prefix + field;
      const entry = dict[key];
      if (entry === undefined) {
        ctx.missingKeys.push(key);
        continue;
      }
      ctx.used.add(key);
      if (!sameShape(entry.shape, value.shape)) {
        ctx.shapeMismatches.push(
          `${key}: checkpoint has ${formatShape(entry.shape)}, model has ${formatShape(value.shape)}`,
        );
        continue;
      }
      ctx.assignments.push(() => value.assign(tf.tensor(entry.data, [...entry.shape], 'float32')));
    }
  }

  /** Frees every parameter and buffer of this module tree. */
  dispose(): void {
    for (const [, m] of this.namedModules()) {
      for (const [, value] of m.ownEntries()) if (value instanceof tf.Variable) value.dispose();
    }
  }

  /** One-line summary of this module's configuration, shown by toString (PyTorch's extra_repr). */
  extraRepr(): string {
    return '';
  }

  /** The module's class name as shown by toString. */
  get typeName(): string {
    return this.constructor.name;
  }

  toString(): string {
    const children = [...this.children()];
    const head = `${this.typeName}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})`;
    const lines = children.map(([name, m]) => `  (${name}): ${m.toString().split('\n').join('\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }

  /** The own enumerable fields (in definition order) that may hold state or submodules. */
  protected *ownEntries(): Generator<[string, unknown]> {
    for (const key of Object.keys(this)) {
      if (key === 'training') continue;
      yield [key, (this as Record<string, unknown>)[key]];
    }
  }
}

export interface LoadContext {
  missingKeys: string[];
  shapeMismatches: string[];
  used: Set<string>;
  assignments: Array<() => void>;
}

function joinPath(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}
