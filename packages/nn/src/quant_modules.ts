// quantModules.initialize / deactivate: while active, constructing one of @pq/nn's float layers
// that has a quantized version (`new Conv2d(...)`, `new Linear(...)`) returns the quantized
// layer built from the same arguments, as the reference's monkey patching of torch.nn does.
// The redirect sits in the float constructors (quant_swap.ts), so the classes themselves are
// untouched: `instanceof`, `constructor`, statics and subclassing are plain JavaScript.
//
// Subclasses: the reference replaces the attribute `torch.nn.Conv2d`, so a subclass defined
// before initialize() keeps the float base. A JS class binds its base when it is defined, so a
// subclass of Conv2d (defined before or after initialize) is built as itself, float; name it in
// `customQuantModules` ([MyConv, MyQuantConv]) or use replaceWithQuant to quantize it.
import { checkOptions } from '@pq/core';
import { selectQuantMap, type ModuleConstructor } from './quant/quant_map.js';
import { QUANT_SWAPPABLE, quantSwapsActive, setQuantSwaps } from './quant_swap.js';

export interface QuantModulesOptions {
  /** Float class names to keep float ('Linear', ...). */
  floatModuleList?: readonly string[];
  /**
   * Extra [FloatClass, QuantClass] pairs. The float class is one of @pq/nn's layer classes with
   * a spatial-dims family (Conv*, ConvTranspose*, the pools, the norms), Linear, LSTM or LSTMCell,
   * or a subclass of one: those constructors consult the redirect.
   */
  customQuantModules?: ReadonlyArray<readonly [ModuleConstructor, ModuleConstructor]>;
}

export const quantModules = {
  /**
   * Makes float layers built afterwards come out quantized: Conv1d-3d, ConvTranspose1d-3d,
   * Linear, LSTM, LSTMCell, MultiheadAttention, AvgPool1d-3d, AdaptiveAvgPool1d-3d, minus `floatModuleList`, plus
   * `customQuantModules`. Only `new` of exactly a listed class is redirected. Undo with `deactivate()`.
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
      if ((float as { [QUANT_SWAPPABLE]?: boolean })[QUANT_SWAPPABLE] !== true) {
        throw new TypeError(
          `quantModules.initialize: customQuantModules names ${float.name}, whose constructor cannot be redirected ` +
            "(only @pq/nn's Conv, ConvTranspose, pooling and norm classes, Linear, LSTM, LSTMCell, MultiheadAttention and their subclasses can); " +
            'use replaceWithQuant with a custom builder for it',
        );
      }
      map.set(float, quant);
    }
    setQuantSwaps(map);
  },

  /** Float layers built afterwards are float again. */
  deactivate(): void {
    setQuantSwaps(null);
  },

  /** Whether initialize() is in effect. */
  get active(): boolean {
    return quantSwapsActive();
  },
};
