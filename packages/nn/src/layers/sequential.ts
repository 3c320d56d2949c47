// nn.Sequential: children named '0', '1', ... (or by the keys of an object), called in order.
import { Module } from '../module.js';
import { ModuleContainer, checkChildName } from './container.js';

export class Sequential extends ModuleContainer {
  /** `new Sequential(a, b, c)` names the children '0', '1', '2'; `new Sequential({ conv: a, act: b })` uses the keys. */
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const named: Array<[string, Module]> =
      modules.length === 1 && !(modules[0] instanceof Module)
        ? Object.entries(modules[0] as Record<string, Module>)
        : (modules as Module[]).map((m, i) => [String(i), m]);
    for (const [name, m] of named) {
      if (!(m instanceof Module)) throw new Error(`Sequential: child '${name}' is not a Module (got ${typeof m})`);
      checkChildName(this, name);
      (this as unknown as Record<string, Module>)[name] = m;
    }
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
