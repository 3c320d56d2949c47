// Containers: the list methods Sequential and ModuleList share (ModuleContainer), nn.ModuleList
// and nn.ModuleDict, whose children are fields named by index ('0', '1', ...) or by key, so
// state-dict keys are PyTorch's (`0.weight`, `conv.weight`). ModuleList and ModuleDict have no
// forward: the model that holds one calls its children.
import { Module } from '../module.js';

/** A child name a container may use: not empty, no '.', not a member of the container itself. */
export function checkChildName(owner: Module, name: string): void {
  const who = owner.typeName;
  if (typeof name !== 'string' || name === '') throw new TypeError(`${who}: a child name must be a non-empty string, got ${JSON.stringify(name)}`);
  if (name.includes('.')) throw new TypeError(`${who}: child name '${name}' must not contain '.'`);
  const taken = name === 'training' || (name in owner && !((owner as unknown as Record<string, unknown>)[name] instanceof Module));
  if (taken) throw new TypeError(`${who}: child name '${name}' is a member of ${who}`);
}

/** A module for each element of `modules`, refused with the position when it is not one. */
function checkModule(owner: string, where: string, m: unknown): Module {
  if (!(m instanceof Module)) throw new TypeError(`${owner}: ${where} is not a Module (got ${m === null ? 'null' : typeof m})`);
  return m;
}

/** A module whose children form an ordered list. */
export abstract class ModuleContainer extends Module {
  /** The children in order. */
  modules(): Module[] {
    return [...this.children()].map(([, m]) => m);
  }

  get length(): number {
    return this.modules().length;
  }

  /** The i-th child (negative counts from the end). */
  at(i: number): Module {
    const list = this.modules();
    const m = list[i < 0 ? list.length + i : i];
    if (m === undefined) throw new Error(`${this.typeName}: index ${i} is out of range for ${list.length} modules`);
    return m;
  }

  /** Appends `m` under the next free index. */
  append(m: Module): this {
    (this as unknown as Record<string, Module>)[String(this.length)] = checkModule(this.typeName, `element ${this.length}`, m);
    return this;
  }
}

/** PyTorch's nn.ModuleList: indexable (`list[0]`), iterable, children named '0', '1', ... */
export class ModuleList<T extends Module = Module> extends ModuleContainer {
  [index: number]: T;

  constructor(modules: Iterable<T> = []) {
    super();
    this.extend(modules);
  }

  override at(i: number): T {
    return super.at(i) as T;
  }

  override append(m: T): this {
    return super.append(m);
  }

  extend(modules: Iterable<T>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts `m` before position `index` (PyTorch's insert: the later ones move up by one). */
  insert(index: number, m: T): this {
    const n = this.length;
    if (!Number.isInteger(index)) throw new TypeError(`ModuleList: insert index must be an integer, got ${index}`);
    const at = Math.min(Math.max(index < 0 ? n + index : index, 0), n);
    checkModule('ModuleList', `the inserted element`, m);
    for (let i = n; i > at; i--) this[i] = this[i - 1]!;
    this[at] = m;
    return this;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0, n = this.length; i < n; i++) yield this[i]!;
  }

  override forward(): never {
    throw new Error('ModuleList has no forward: call its modules from the forward of the model that holds it');
  }
}

/**
 * PyTorch's nn.ModuleDict: children by key (state-dict keys `key.weight`), Map-like access.
 * Keys keep insertion order, except that integer-like keys ('0', '7') come first in numeric
 * order, as JavaScript orders such object keys.
 */
export class ModuleDict<T extends Module = Module> extends Module {
  constructor(modules: Record<string, T> | Iterable<readonly [string, T]> = {}) {
    super();
    this.update(modules);
  }

  get size(): number {
    return [...this.children()].length;
  }

  get(key: string): T | undefined {
    return this.has(key) ? ((this as unknown as Record<string, T>)[key] as T) : undefined;
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this, key) && (this as unknown as Record<string, unknown>)[key] instanceof Module;
  }

  set(key: string, m: T): this {
    checkChildName(this, key);
    (this as unknown as Record<string, T>)[key] = checkModule('ModuleDict', `'${key}'`, m) as T;
    return this;
  }

  /** Removes `key` and returns its module (PyTorch's pop), or undefined when absent. */
  delete(key: string): T | undefined {
    const m = this.get(key);
    if (m !== undefined) delete (this as unknown as Record<string, T>)[key];
    return m;
  }

  update(modules: Record<string, T> | Iterable<readonly [string, T]>): this {
    const entries = Symbol.iterator in Object(modules) ? [...(modules as Iterable<readonly [string, T]>)] : Object.entries(modules as Record<string, T>);
    for (const [key, m] of entries) this.set(key, m);
    return this;
  }

  keys(): string[] {
    return [...this.children()].map(([k]) => k);
  }

  values(): T[] {
    return [...this.children()].map(([, m]) => m as T);
  }

  entries(): Array<[string, T]> {
    return [...this.children()].map(([k, m]) => [k, m as T]);
  }

  override forward(): never {
    throw new Error('ModuleDict has no forward: call its modules from the forward of the model that holds it');
  }
}
