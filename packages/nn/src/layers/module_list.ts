// Containers of child modules in order: the list methods Sequential and ModuleList share, and
// nn.ModuleList itself (children named '0', '1', ... that the owner calls; no forward).
import { Module } from '../module.js';

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
    if (!(m instanceof Module)) throw new Error(`${this.typeName}: append needs a Module (got ${typeof m})`);
    (this as unknown as Record<string, Module>)[String(this.length)] = m;
    return this;
  }
}

export class ModuleList extends ModuleContainer {
  constructor(modules: readonly Module[] = []) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new Error(`ModuleList: entry ${i} is not a Module (got ${typeof m})`);
      this.append(m);
    });
  }

  override forward(): never {
    throw new Error('ModuleList has no forward; call its modules');
  }
}
