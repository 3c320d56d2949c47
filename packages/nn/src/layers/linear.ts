// nn.Linear: y = x·weightᵀ + bias, weight [out, in], PyTorch's default initialisation.
import type * as tf from '@tensorflow/tfjs-core';
import { Module, assignValue, parameter } from '../module.js';
import { biasUniform, kaimingUniform } from '../init.js';
import { linear } from '../functional/linear.js';
import { checkOptions } from '@pq/core';
import { checkPositiveInt } from '../args.js';
import { pyBool } from '../py_repr.js';
import { checkFeaturesLast } from './layer_input.js';
import { optionKeysOf } from './option_keys.js';
import { QUANT_SWAPPABLE, quantSwap } from '../quant_swap.js';

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

export class Linear extends Module {
  /** Option keys the constructor accepts; subclasses (QuantLinear) extend the list. */
  static optionKeys: readonly string[] = ['bias'];
  static readonly [QUANT_SWAPPABLE] = true;
  // `!`: the constructor's early return (a quantModules redirect) leaves them to the other object.
  readonly inFeatures!: number;
  readonly outFeatures!: number;
  weight!: tf.Variable;
  bias!: tf.Variable | null;

  constructor(inFeatures: number, outFeatures: number, o: LinearOptions = {}) {
    const swapped = quantSwap<Linear>(new.target, [inFeatures, outFeatures, o]);
    if (swapped !== undefined) return swapped;
    super();
    checkOptions(this.typeName, o, optionKeysOf(this));
    this.inFeatures = checkPositiveInt(this.typeName, 'inFeatures', inFeatures);
    this.outFeatures = checkPositiveInt(this.typeName, 'outFeatures', outFeatures);
    const shape = [outFeatures, inFeatures];
    // kaiming_uniform(a=sqrt(5)) == U(±1/sqrt(in)); the bias uses the same bound.
    this.weight = parameter(kaimingUniform(shape, { a: Math.sqrt(5) }), 'weight');
    this.bias = (o.bias ?? true) ? parameter(biasUniform([outFeatures], shape), 'bias') : null;
  }

  /** Redraws weight and bias with PyTorch's default initialisation. */
  resetParameters(): void {
    const shape = [this.outFeatures, this.inFeatures];
    assignValue(this.weight, () => kaimingUniform(shape, { a: Math.sqrt(5) }));
    if (this.bias !== null) assignValue(this.bias, () => biasUniform([this.outFeatures], shape));
  }

  override forward(x: tf.Tensor): tf.Tensor {
    checkFeaturesLast(this, x, this.inFeatures);
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
