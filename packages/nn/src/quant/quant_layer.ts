// The constructor every quantized layer shares (the reference's QuantMixin.init_quantizer path),
// as a class factory so each public class is one line (`class QuantConv2d extends
// quantConv(Conv2d, ...) {}`): split the descriptors off the options (falling back to the
// defaults of the class being built, so each class keeps its own), build the float layer, then
// `_input_quantizer` and `_weight_quantizer` in that order (the state-dict order). The family
// files (pooling, conv, ...) add their forward on top.
import type * as tf from '@tensorflow/tfjs-core';
import { QUANT_DESC_8BIT_PER_TENSOR, checkOptions, type QuantDescriptor } from '@pq/core';
import type { Module } from '../module.js';
import { checkChannelsFirst } from '../layers/layer_input.js';
import {
  QuantInputMixin, QuantMixin, makeQuantizer, splitQuantOptions,
  type ModuleClass, type QuantInputMembers, type QuantInputStatics, type QuantWeightMembers, type QuantWeightStatics,
} from './quant_mixin.js';

/** A concrete float layer (its forward is implemented, unlike Module's). */
export interface FloatLayer extends Module {
  forward(...args: any[]): any;
}

/** A float layer class the factories accept: its option keys listed statically. */
export type FloatLayerClass = ModuleClass<FloatLayer> & { optionKeys: readonly string[] };

/** A channels-first float layer class (pooling, instance norm). */
export type ChannelsFirstLayerClass = ModuleClass<FloatLayer & { readonly spatialDims: number }> & { optionKeys: readonly string[] };

/** A quantized input-only layer class: the float class's statics, a constructor taking `A`. */
export type QuantInputLayerClass<TBase extends ModuleClass, A extends unknown[]> =
  Pick<TBase, keyof TBase> & QuantInputStatics & (new (...args: A) => InstanceType<TBase> & QuantInputMembers);

/** A quantized layer class with input and weight quantizers. */
export type QuantWeightLayerClass<TBase extends ModuleClass, A extends unknown[]> =
  Pick<TBase, keyof TBase> & QuantWeightStatics & (new (...args: A) => InstanceType<TBase> & QuantWeightMembers);

export interface QuantLayerSpec {
  /** Where the options object sits in the constructor's arguments (1 for pooling, 3 for conv). */
  optionsAt: number;
  /** The default input descriptor (default: 8 bit per tensor). */
  input?: QuantDescriptor;
  /** The default weight descriptor; absent for layers without a weight (QuantInputMixin). */
  weight?: QuantDescriptor;
  /**
   * False when the float layer takes no options (adaptive pooling): the quant options are
   * checked here and only the arguments before them are passed on.
   */
  floatTakesOptions?: boolean;
}

/** The float layer `Base` with the quantizers of `spec` built by its constructor. */
export function quantLayer<TBase extends FloatLayerClass>(
  Base: TBase,
  spec: QuantLayerSpec,
): TBase & QuantWeightStatics & ModuleClass<QuantWeightMembers> {
  const { optionsAt, weight } = spec;
  const input = spec.input ?? QUANT_DESC_8BIT_PER_TENSOR;
  const floatTakesOptions = spec.floatTakesOptions ?? true;
  const quantKeys = weight === undefined ? ['quantDescInput'] : ['quantDescInput', 'quantDescWeight'];
  // Typed as the weight variant so one body serves both; weight-free layers never touch it.
  const Mixed = (weight === undefined ? QuantInputMixin(Base, input) : QuantMixin(Base, input, weight)) as
    TBase & QuantWeightStatics & ModuleClass<QuantWeightMembers>;

  class QuantLayer extends Mixed {
    static override optionKeys: readonly string[] = floatTakesOptions ? [...Base.optionKeys, ...quantKeys] : Base.optionKeys;

    constructor(...args: any[]) {
      const head = Array.from({ length: optionsAt }, (_, i): unknown => args[i]);
      const o = (args[optionsAt] ?? {}) as object;
      if (!floatTakesOptions) checkOptions(new.target.name, o, quantKeys);
      const descs = splitQuantOptions(new.target, o, weight !== undefined);
      super(...head, ...(floatTakesOptions ? [o] : []));
      this._input_quantizer = makeQuantizer(descs.input);
      if (descs.weight !== null) this._weight_quantizer = makeQuantizer(descs.weight);
    }
  }
  return QuantLayer;
}

/** quantLayer for a concrete float class with a weight (QuantLinear, QuantLSTMCell): its constructor takes `A`. */
export function quantWeightLayer<TBase extends FloatLayerClass, A extends unknown[]>(
  Base: TBase,
  spec: QuantLayerSpec & { weight: QuantDescriptor },
): QuantWeightLayerClass<TBase, A> {
  return quantLayer(Base, spec) as unknown as QuantWeightLayerClass<TBase, A>;
}

/**
 * Layers without a weight (pooling, instance norm): the input is checked (so errors name the
 * quant layer) and quantized, then the float forward runs on it. `channels` gives the channel
 * count the input must have, where the layer fixes one.
 */
export function quantInputLayer<TBase extends ChannelsFirstLayerClass, A extends unknown[]>(
  Base: TBase,
  spec: Omit<QuantLayerSpec, 'weight'> & { channels?: (layer: InstanceType<TBase>) => number },
): QuantInputLayerClass<TBase, A> {
  const { channels } = spec;
  class QuantInput extends quantLayer(Base, spec) {
    override forward(x: tf.Tensor): tf.Tensor {
      checkChannelsFirst(this, x, this.spatialDims, channels?.(this as InstanceType<TBase>));
      return super.forward(this._input_quantizer.call(x) as tf.Tensor) as tf.Tensor;
    }
  }
  return QuantInput as unknown as QuantInputLayerClass<TBase, A>;
}
