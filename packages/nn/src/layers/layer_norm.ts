// nn.LayerNorm: normalises over the last dims (normalizedShape); weight ones, bias zeros.
import * as tf from '@tensorflow/tfjs-core';
import { Module, parameter } from '../module.js';
import { layerNorm } from '../functional/layer_norm.js';
import { checkOptions } from '@pq/core';
import { checkPositiveInt } from '../args.js';
import { pyBool, pyFloat, pyTuple } from '../py_repr.js';
import { optionKeysOf } from './option_keys.js';

export interface LayerNormLayerOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn an elementwise `weight` (ones) and `bias` (zeros) of normalizedShape (default true). */
  elementwiseAffine?: boolean;
}

export class LayerNorm extends Module {
  static optionKeys: readonly string[] = ['eps', 'elementwiseAffine'];
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: tf.Variable | null;
  bias: tf.Variable | null;

  constructor(normalizedShape: number | readonly number[], o: LayerNormLayerOptions = {}) {
    super();
    checkOptions(this.typeName, o, optionKeysOf(this));
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0) throw new Error(`${this.typeName}: normalizedShape must name at least one dim`);
    for (const d of shape) checkPositiveInt(this.typeName, 'normalizedShape', d);
    this.normalizedShape = Object.freeze(shape);
    this.eps = o.eps ?? 1e-5;
    if (!(this.eps >= 0)) throw new Error(`${this.typeName}: eps must be >= 0, got ${this.eps}`);
    this.elementwiseAffine = o.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? parameter(tf.ones(shape), 'weight') : null;
    this.bias = this.elementwiseAffine ? parameter(tf.zeros(shape), 'bias') : null;
  }

  /** Weight back to ones and bias to zeros. */
  resetParameters(): void {
    tf.tidy(() => {
      this.weight?.assign(tf.ones(this.normalizedShape as number[]));
      this.bias?.assign(tf.zeros(this.normalizedShape as number[]));
    });
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}
