// The shared "input (+ weight) quantizer" logic of every quantized layer, as the reference's
// QuantMixin / QuantInputMixin, in one class factory: `class QuantConv2d extends
// QuantMixin(Conv2d, { weight: ... }) { forward ... }`. The mixed class keeps per-class default
// descriptors with setters, takes the float layer's arguments with the quant options in the
// trailing options object (`quantDescInput`, `quantDescWeight`), builds the float layer from the
// rest, then `_input_quantizer` and `_weight_quantizer` in that order (the state-dict order).
import type * as tf from '@tensorflow/tfjs-core';
import { QUANT_DESC_8BIT_PER_TENSOR, QuantDescriptor, checkOptions } from '@pq/core';
import type { Module } from '../module.js';
import { checkChannelsFirst } from '../layers/layer_input.js';
import { TensorQuantizer } from './tensor_quantizer.js';

/** The quant options every quantized layer takes besides its float layer's options. */
export interface QuantInputOptions {
  /** Descriptor of the input quantizer (default: the class's defaultQuantDescInput). */
  quantDescInput?: QuantDescriptor;
}

export interface QuantWeightOptions extends QuantInputOptions {
  /** Descriptor of the weight quantizer (default: the class's defaultQuantDescWeight). */
  quantDescWeight?: QuantDescriptor;
}

/** A class carrying default descriptors (set per class by setDefaultQuantDesc*). */
export interface QuantDefaults {
  name: string;
  defaultQuantDescInput: QuantDescriptor;
  defaultQuantDescWeight?: QuantDescriptor;
}

/** A QuantDescriptor with fakeQuant (the only kind quantized modules take), else a clear error. */
export function checkDescriptor(owner: string, option: string, d: unknown): QuantDescriptor {
  if (!(d instanceof QuantDescriptor)) {
    throw new TypeError(`${owner}: ${option} must be a QuantDescriptor, got ${String(d)}`);
  }
  if (!d.fakeQuant) {
    throw new TypeError(`${owner}: Only fake quantization is supported! (${option} has fakeQuant: false)`);
  }
  return d;
}

/**
 * Splits the quant descriptors off `options` (falling back to the class defaults) and returns
 * the float layer's remaining options; called before the float constructor so nothing is
 * allocated when a descriptor is refused.
 */
export function splitQuantOptions<O extends object>(
  cls: QuantDefaults,
  options: O | undefined,
  withWeight: boolean,
): { input: QuantDescriptor; weight: QuantDescriptor | null; rest: Omit<O, 'quantDescInput' | 'quantDescWeight'> } {
  const { quantDescInput, quantDescWeight, ...rest } = (options ?? {}) as O & QuantWeightOptions;
  const input = checkDescriptor(cls.name, 'quantDescInput', quantDescInput ?? cls.defaultQuantDescInput);
  let weight: QuantDescriptor | null = null;
  if (withWeight) {
    weight = checkDescriptor(cls.name, 'quantDescWeight', quantDescWeight ?? cls.defaultQuantDescWeight);
  } else if (quantDescWeight !== undefined) {
    throw new TypeError(`${cls.name}: unknown option 'quantDescWeight' (this layer has no weight to quantize)`);
  }
  return { input, weight, rest: rest as Omit<O, 'quantDescInput' | 'quantDescWeight'> };
}

/** A concrete float layer (its forward is implemented, unlike Module's). */
export interface FloatLayer extends Module {
  forward(...args: any[]): any;
}

/** A float layer class the mixin accepts: concrete, its option keys listed statically. */
export type FloatLayerClass = (new (...args: any[]) => FloatLayer) & { optionKeys: readonly string[] };

/** What the mixin adds to instances: the input quantizer. */
export interface QuantInputMembers {
  _input_quantizer: TensorQuantizer;
  readonly inputQuantizer: TensorQuantizer;
}

/** What the mixin adds to the class: the default input descriptor. */
export interface QuantInputStatics {
  defaultQuantDescInput: QuantDescriptor;
  /** Sets the input descriptor used by layers of this class built afterwards. */
  setDefaultQuantDescInput(value: QuantDescriptor): void;
}

/** The instance members of a layer with a weight quantizer too. */
export interface QuantWeightMembers extends QuantInputMembers {
  _weight_quantizer: TensorQuantizer;
  readonly weightQuantizer: TensorQuantizer;
}

/** The statics of a layer with a weight quantizer too. */
export interface QuantWeightStatics extends QuantInputStatics {
  defaultQuantDescWeight: QuantDescriptor;
  /** Sets the weight descriptor used by layers of this class built afterwards. */
  setDefaultQuantDescWeight(value: QuantDescriptor): void;
}

/** The quantized class: `TBase`'s statics plus `S`, a constructor taking `A`, instances with `M`. */
export type QuantClass<TBase extends FloatLayerClass, A extends unknown[], M, S> = Pick<TBase, keyof TBase> &
  S & { optionKeys: readonly string[] } & (new (...args: A) => InstanceType<TBase> & M);

/** Whether `v` is an options object (a kernel size or output size may be an array, never an object). */
function isOptionsObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

export interface QuantMixinDefaults<W extends QuantDescriptor | undefined> {
  /** The default input descriptor (default: 8 bit per tensor). */
  input?: QuantDescriptor;
  /** The default weight descriptor; without one the layer has only an input quantizer (QuantInputMixin). */
  weight?: W;
}

/**
 * The quantized version of the float layer class `Base` (the reference's QuantMixin, or
 * QuantInputMixin without a `weight` default). `A` types the constructor: the float layer's
 * arguments with the quant options in the trailing options object.
 */
export function QuantMixin<TBase extends FloatLayerClass, A extends unknown[]>(
  Base: TBase,
  defaults: QuantMixinDefaults<QuantDescriptor>,
): QuantClass<TBase, A, QuantWeightMembers, QuantWeightStatics>;
export function QuantMixin<TBase extends FloatLayerClass, A extends unknown[]>(
  Base: TBase,
  defaults?: QuantMixinDefaults<undefined>,
): QuantClass<TBase, A, QuantInputMembers, QuantInputStatics>;
export function QuantMixin<TBase extends FloatLayerClass>(Base: TBase, defaults: QuantMixinDefaults<QuantDescriptor | undefined> = {}) {
  const withWeight = defaults.weight !== undefined;
  const quantKeys = withWeight ? ['quantDescInput', 'quantDescWeight'] : ['quantDescInput'];

  class Quant extends Base {
    static override optionKeys: readonly string[] = [...Base.optionKeys, ...quantKeys];
    static defaultQuantDescInput: QuantDescriptor = defaults.input ?? QUANT_DESC_8BIT_PER_TENSOR;
    static defaultQuantDescWeight: QuantDescriptor | undefined = defaults.weight;

    static setDefaultQuantDescInput(value: QuantDescriptor): void {
      this.defaultQuantDescInput = checkDescriptor(this.name, 'setDefaultQuantDescInput', value);
    }

    static setDefaultQuantDescWeight(value: QuantDescriptor): void {
      if (!withWeight) throw new TypeError(`${this.name}: this layer has no weight quantizer`);
      this.defaultQuantDescWeight = checkDescriptor(this.name, 'setDefaultQuantDescWeight', value);
    }

    declare _input_quantizer: TensorQuantizer;
    declare _weight_quantizer: TensorQuantizer;

    constructor(...args: any[]) {
      const cls = new.target;
      const hasOptions = args.length > 0 && isOptionsObject(args[args.length - 1]);
      const o: object = hasOptions ? (args[args.length - 1] as object) : {};
      // All options are checked here, before anything is allocated, so errors name this class
      // (also for float layers that take no options, e.g. adaptive pooling).
      checkOptions(cls.name, o, cls.optionKeys);
      const { input, weight, rest } = splitQuantOptions(cls, o, withWeight);
      super(...(hasOptions ? [...args.slice(0, -1), rest] : args));
      this._input_quantizer = new TensorQuantizer(input);
      if (weight !== null) this._weight_quantizer = new TensorQuantizer(weight);
    }

    get inputQuantizer(): TensorQuantizer {
      return this._input_quantizer;
    }

    get weightQuantizer(): TensorQuantizer {
      return this._weight_quantizer;
    }
  }
  return Quant;
}

/**
 * The input of a channels-first input-only layer (pooling, instance norm), checked first so a
 * wrong shape is reported by the layer (with `channels` where it fixes them), then quantized.
 */
export function quantizeChannelsFirst(m: Module & QuantInputMembers & { readonly spatialDims: number }, x: tf.Tensor, channels?: number): tf.Tensor {
  checkChannelsFirst(m, x, m.spatialDims, channels);
  return m._input_quantizer.call(x) as tf.Tensor;
}
