// quantModules.initialize / deactivate: while active, constructing a float layer through
// @pq/nn's public classes (`new Conv2d(...)`, `new Linear(...)`) returns its quantized version,
// as the reference's monkey patching of torch.nn does. The public float classes are thin
// proxies of the real ones (`swappable`): `instanceof`, statics and subclassing behave as
// before, and only a direct `new` of the exact public class is redirected while active.
import { checkOptions } from '@pq/core';
import { selectQuantMap, type ModuleConstructor } from './quant/quant_map.js';

export interface QuantModulesOptions {
  /** Float class names to keep float ('Linear', ...). */
  floatModuleList?: readonly string[];
  /** Extra [floatClass, quantClass] pairs; the float class must be @pq/nn's or wrapped with `swappable`. */
  customQuantModules?: ReadonlyArray<readonly [ModuleConstructor, ModuleConstructor]>;
}

/** Real float class -> quantized class, while initialize() is active. */
let active: Map<Function, ModuleConstructor> | null = null;
/** Proxy -> real class, so custom pairs may name either. */
const realOf = new WeakMap<Function, Function>();

/**
 * The public face of a float layer class: constructing it while quantModules is active builds
 * the quantized class instead (with the same arguments); otherwise it is the class itself.
 */
export function swappable<C extends ModuleConstructor>(cls: C): C {
  const proxy: C = new Proxy(cls, {
    construct(target, args, newTarget) {
      if (newTarget === proxy) {
        const quant = active?.get(target);
        if (quant !== undefined) return new quant(...(args as unknown[]));
        return Reflect.construct(target, args, target);
      }
      return Reflect.construct(target, args, newTarget);
    },
  });
  realOf.set(proxy, cls);
  return proxy;
}

function real(cls: Function): Function {
  return realOf.get(cls) ?? cls;
}

export const quantModules = {
  /**
   * Makes float layers built afterwards come out quantized: Conv1d-3d, ConvTranspose1d-3d,
   * Linear, LSTM, LSTMCell, AvgPool1d-3d, AdaptiveAvgPool1d-3d, minus `floatModuleList`, plus
   * `customQuantModules`. Undo with `deactivate()`.
   */
  initialize(o: QuantModulesOptions = {}): void {
    checkOptions('quantModules.initialize', o, { floatModuleList: 'object', customQuantModules: 'object' });
    const map = new Map<Function, ModuleConstructor>();
    for (const e of selectQuantMap(o.floatModuleList, 'quantModules.initialize')) map.set(e.float, e.quant);
    for (const pair of o.customQuantModules ?? []) {
      const [float, quant] = pair;
      if (typeof float !== 'function' || typeof quant !== 'function') {
        throw new TypeError('quantModules.initialize: each customQuantModules entry must be [FloatClass, QuantClass]');
      }
      map.set(real(float), quant);
    }
    active = map;
  },

  /** Float layers built afterwards are float again. */
  deactivate(): void {
    active = null;
  },

  /** Whether initialize() is in effect. */
  get active(): boolean {
    return active !== null;
  },
};

