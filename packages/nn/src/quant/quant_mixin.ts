// The shared "input (+ weight) quantizer" logic of every quantized layer, as the reference's
// QuantMixin / QuantInputMixin: per-class default descriptors with setters, the quantizer
// fields `_input_quantizer` / `_weight_quantizer` (so state-dict keys are PyTorch's) and their
// getters, and option handling that splits `quantDescInput` / `quantDescWeight` off the float
// layer's options, refusing real-quant descriptors.
import { QuantDescriptor } from '@pq/core';
import type { Module } from '../module.js';
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
 * the float layer's remaining options; called before `super(...)` so nothing is allocated
 * when a descriptor is refused.
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

/** A concrete layer class (the mixins extend Linear, Conv2d, ...). */
export type ModuleClass<T = Module> = new (...args: any[]) => T;

/** What QuantInputMixin adds to instances. */
export interface QuantInputMembers {
  _input_quantizer: TensorQuantizer;
  readonly inputQuantizer: TensorQuantizer;
}

/** What QuantInputMixin adds to the class. */
export interface QuantInputStatics {
  defaultQuantDescInput: QuantDescriptor;
  /** Sets the input descriptor used by layers of this class built afterwards. */
  setDefaultQuantDescInput(value: QuantDescriptor): void;
}

/** What QuantMixin adds to instances. */
export interface QuantWeightMembers extends QuantInputMembers {
  _weight_quantizer: TensorQuantizer;
  readonly weightQuantizer: TensorQuantizer;
}

/** What QuantMixin adds to the class. */
export interface QuantWeightStatics extends QuantInputStatics {
  defaultQuantDescWeight: QuantDescriptor;
  /** Sets the weight descriptor used by layers of this class built afterwards. */
  setDefaultQuantDescWeight(value: QuantDescriptor): void;
}

// The return types are spelled out (rather than inferred class expressions) so declaration
// files can describe the mixed classes.

/** Adds an input quantizer to a float layer class (QuantInputMixin). */
export function QuantInputMixin<TBase extends ModuleClass>(
  Base: TBase,
  defaultInput: QuantDescriptor,
): TBase & QuantInputStatics & ModuleClass<QuantInputMembers> {
  // Abstract here only because the generic base's `forward` is abstract; the concrete float
  // layer behind TBase supplies it.
  abstract class QuantInput extends Base {
    static defaultQuantDescInput: QuantDescriptor = defaultInput;

    static setDefaultQuantDescInput(value: QuantDescriptor): void {
      this.defaultQuantDescInput = checkDescriptor(this.name, 'setDefaultQuantDescInput', value);
    }

    declare _input_quantizer: TensorQuantizer;

    get inputQuantizer(): TensorQuantizer {
      return this._input_quantizer;
    }
  }
  return QuantInput as unknown as TBase & QuantInputStatics & ModuleClass<QuantInputMembers>;
}

/** Adds input and weight quantizers to a float layer class (QuantMixin). */
export function QuantMixin<TBase extends ModuleClass>(
  Base: TBase,
  defaultInput: QuantDescriptor,
  defaultWeight: QuantDescriptor,
): TBase & QuantWeightStatics & ModuleClass<QuantWeightMembers> {
  abstract class Quant extends QuantInputMixin(Base, defaultInput) {
    static defaultQuantDescWeight: QuantDescriptor = defaultWeight;

    static setDefaultQuantDescWeight(value: QuantDescriptor): void {
      this.defaultQuantDescWeight = checkDescriptor(this.name, 'setDefaultQuantDescWeight', value);
    }

    declare _weight_quantizer: TensorQuantizer;

    get weightQuantizer(): TensorQuantizer {
      return this._weight_quantizer;
    }
  }
  return Quant as unknown as TBase & QuantWeightStatics & ModuleClass<QuantWeightMembers>;
}

/** Builds a quantizer for a descriptor (a helper so layer constructors stay one line). */
export function makeQuantizer(desc: QuantDescriptor): TensorQuantizer {
  return new TensorQuantizer(desc);
}
