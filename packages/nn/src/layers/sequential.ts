// nn.Sequential: children named '0', '1', ... (or by the keys of an object), called in order.
import { Module } from '../module.js';

export class Sequential extends Module {
  /** `new Sequential(a, b, c)` names the children '0', '1', '2'; `new Sequential({ conv: a, act: b })` uses the keys. */
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const named: Array<[string, Module]> =
      modules.length === 1 && !(modules[0] instanceof Module)
        ? Object.entries(modules[0] as Record<string, Module>)
        : (modules as Module[]).map((m, i) => [String(i), m]);
    for (const [name, m] of named) {
      if (!(m instanceof Module)) throw new Error(`Sequential: child '${name}' is not a Module (got ${typeof m})`);
      if (name === 'training') throw new Error(`Sequential: a child may not be named 'training'`);
      (this as unknown as Record<string, Module>)[name] = m;
    }
  }

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
    if (m === undefined) throw new Error(`Sequential: index ${i} is out of range for ${list.length} modules`);
    return m;
  }

  /** Appends `m` under the next free index. */
  append(m: Module): this {
    (this as unknown as Record<string, Module>)[String(this.length)] = m;
    return this;
  }

  override forward(...args: unknown[]): unknown {
    let out: unknown = args.length === 1 ? args[0] : args;
    let first = true;
    for (const m of this.modules()) {
      out = first ? m.call(...args) : m.call(out);
      first = false;
    }
    return out;
  }
}
