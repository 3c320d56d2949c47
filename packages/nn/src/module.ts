// The base of every layer, shaped like PyTorch's nn.Module: a module's own fields are its
// state. A field holding a Module is a submodule, a tf.Variable made with `parameter()` is a
// parameter, one made with `buffer()` is a buffer; the dotted field paths are the state-dict
// keys (`conv1.weight`, `conv1._input_quantizer._amax`), so checkpoints move to and from
// PyTorch without a mapping table. Fields holding null/undefined (an absent bias, an amax not
// yet set) are simply absent from the state.
import * as tf from '@tensorflow/tfjs-core';
import { checkNDArray, checkOptions, describeValue, formatShape, sameShape, type NDArray } from '@pq/core';
import { prefixError } from './errors.js';
import { runModuleCall } from './hooks.js';
import { stateTensorOf, type StateDict } from './io/state.js';

const BUFFERS = new WeakSet<tf.Variable>();

/**
 * A trainable parameter (PyTorch's nn.Parameter). Takes ownership of `value`: the variable keeps
 * its data and `value` itself is disposed, so disposing the module frees everything (pass
 * `value.clone()` to keep using the tensor).
 */
export function parameter(value: tf.Tensor, name?: string): tf.Variable {
  return ownedVariable(value, true, name);
}

/** A buffer: state that is saved and loaded but not trained (PyTorch's register_buffer); owns `value` as parameter() does. */
export function buffer(value: tf.Tensor, name?: string): tf.Variable {
  const v = ownedVariable(value, false, name);
  BUFFERS.add(v);
  return v;
}

function ownedVariable(value: tf.Tensor, trainable: boolean, name: string | undefined): tf.Variable {
  const v = tf.variable(value, trainable, name === undefined ? undefined : uniqueName(name));
  // The variable shares value's data (one more reference); dropping value's own handle leaves
  // the variable the only owner.
  value.dispose();
  return v;
}

/** Replaces `v`'s value in place (same variable, its old data freed) with no tensor left behind. */
export function assignValue(v: tf.Variable, value: tf.Tensor | (() => tf.Tensor)): void {
  tf.tidy(() => {
    v.assign(typeof value === 'function' ? value() : value);
  });
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

/** Raised by `loadStateDict`; lists every problem by key. */
export class StateDictError extends Error {
  constructor(
    readonly missingKeys: string[],
    readonly unexpectedKeys: string[],
    readonly shapeMismatches: string[],
    /** Entries that are not a float32 NDArray of a consistent shape, or hold values the state refuses (a NaN amax). */
    readonly invalidValues: string[] = [],
  ) {
    const parts: string[] = [];
    if (missingKeys.length) parts.push(`missing keys: ${missingKeys.join(', ')}`);
    if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    if (shapeMismatches.length) parts.push(`shape mismatches: ${shapeMismatches.join('; ')}`);
    if (invalidValues.length) parts.push(`invalid values: ${invalidValues.join('; ')}`);
    super(`Error(s) in loading state dict: ${parts.join('; ')}`);
    this.name = 'StateDictError';
  }
}

export abstract class Module {
  /** Training mode (dropout active, quantizers' training behaviour); toggled by train()/eval(). */
  training = true;

  abstract forward(...args: any[]): any;

  /**
   * Runs `forward` (through the tracing hook when one is installed, e.g. during ONNX export).
   * An error thrown inside is given the path of the module it came from, relative to the
   * outermost module called (`conv2._input_quantizer: amax is NaN ...`).
   */
  call(...args: any[]): any {
    callDepth += 1;
    try {
      return runModuleCall(this, args, () => this.forward(...args));
    } catch (e) {
      if (e instanceof Error) nameErrorOrigin(this, e, callDepth === 1);
      throw e;
    } finally {
      callDepth -= 1;
    }
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

  /** The submodule at dotted path `target` ('' is this module), as PyTorch's get_submodule; an error names the missing part. */
  getSubmodule(target: string): Module {
    let m: Module = this;
    if (target === '') return m;
    const parts = target.split('.');
    parts.forEach((name, i) => {
      const child = Object.prototype.hasOwnProperty.call(m, name) ? (m as unknown as Record<string, unknown>)[name] : undefined;
      if (!(child instanceof Module)) {
        throw new Error(`${this.typeName} has no submodule '${parts.slice(0, i + 1).join('.')}'${i > 0 ? ` (${m.typeName} at '${parts.slice(0, i).join('.')}' has no '${name}')` : ''}`);
      }
      m = child;
    });
    return m;
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

  /** Parameters and buffers by dotted PyTorch path, copied out as float32 arrays (integer buffers marked `dtype: 'int64'`). */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [path, m] of this.namedModules()) {
      for (const [key, value] of m.ownEntries()) {
        if (value instanceof tf.Variable) {
          out[joinPath(path, key)] = stateTensorOf(value);
        }
      }
    }
    return out;
  }

  /**
   * Loads parameters and buffers by dotted path, in place (each variable keeps its identity).
   * Every entry is checked before anything is assigned, so a failed load changes nothing: a
   * value that is not a float32 NDArray whose data length matches its shape, a shape that
   * differs from the model's, or a value the state refuses (a NaN amax) always throws a
   * StateDictError naming the key; in strict mode (default) so do missing and unexpected keys,
   * which are otherwise returned.
   */
  loadStateDict(dict: Record<string, NDArray>, o: { strict?: boolean } = {}): LoadStateDictResult {
    checkOptions('loadStateDict', o, { strict: 'boolean' });
    if (dict === null || typeof dict !== 'object') {
      throw new TypeError(`loadStateDict: expected a state dict { key: NDArray }, got ${describeValue(dict)}`);
    }
    const strict = o.strict ?? true;
    const ctx: LoadContext = { missingKeys: [], shapeMismatches: [], invalidValues: [], used: new Set(), assignments: [] };
    for (const [path, m] of [...this.namedModules()]) m.loadOwnState(path === '' ? '' : `${path}.`, dict, ctx);
    const { missingKeys, shapeMismatches, invalidValues } = ctx;
    const unexpectedKeys = Object.keys(dict).filter((k) => !ctx.used.has(k));
    if (shapeMismatches.length > 0 || invalidValues.length > 0 || (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0))) {
      throw new StateDictError(missingKeys, unexpectedKeys, shapeMismatches, invalidValues);
    }
    for (const assign of ctx.assignments) assign();
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
      const entry = stateEntry(dict, key, ctx);
      if (entry === undefined) {
        ctx.missingKeys.push(key);
        continue;
      }
      if (entry === null) continue;
      if (!sameShape(entry.shape, value.shape)) {
        ctx.shapeMismatches.push(
          `${key}: checkpoint has ${formatShape(entry.shape)}, model has ${formatShape(value.shape)}`,
        );
        continue;
      }
      const problem = this.checkStateValue(field, entry);
      if (problem !== null) {
        ctx.invalidValues.push(`${key}: ${problem}`);
        continue;
      }
      // In the variable's own dtype (num_batches_tracked is int32), whatever the entry's.
      ctx.assignments.push(() => assignValue(value, () => tf.tensor(entry.data, [...entry.shape], value.dtype)));
    }
  }

  /**
   * What is wrong with `entry` as the new value of this module's state field `field`, or null.
   * Override to refuse values the module cannot run with (a quantizer refuses a NaN amax).
   */
  protected checkStateValue(_field: string, _entry: NDArray): string | null {
    return null;
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
  invalidValues: string[];
  used: Set<string>;
  assignments: Array<() => void>;
}

/**
 * `dict[key]` as a checked NDArray: undefined when the dict has no such own key (a prototype
 * member is not an entry), null (with the problem recorded) when the value is malformed.
 */
export function stateEntry(dict: Record<string, NDArray>, key: string, ctx: LoadContext): NDArray | null | undefined {
  if (!Object.hasOwn(dict, key)) return undefined;
  ctx.used.add(key);
  const entry = dict[key]!;
  try {
    checkNDArray(entry, key);
  } catch (e) {
    ctx.invalidValues.push((e as Error).message);
    return null;
  }
  return entry;
}

/** Module.call nesting: 1 inside the outermost call. */
let callDepth = 0;
/** The innermost module an error passed through, until the outermost call names it. */
const ORIGIN = new WeakMap<Error, Module>();
const NAMED = new WeakSet<Error>();

/**
 * Records the module an error came from (the first call it leaves) and, in the outermost call,
 * prefixes its message (and the stack's first line) with that module's path from `root`, or with
 * its class name when it is the root or outside root's tree, unless the message names it already.
 */
function nameErrorOrigin(module: Module, e: Error, outermost: boolean): void {
  if (NAMED.has(e)) return;
  if (!ORIGIN.has(e)) ORIGIN.set(e, module);
  if (!outermost) return;
  NAMED.add(e);
  const origin = ORIGIN.get(e)!;
  let name = origin.typeName;
  for (const [path, m] of module.namedModules()) {
    if (m === origin) {
      if (path !== '') name = path;
      break;
    }
  }
  prefixError(e, name);
}

function joinPath(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}
