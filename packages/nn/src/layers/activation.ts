// The activation modules beyond ReLU / Sigmoid / Tanh: nn.ReLU6, nn.Hardtanh, nn.Hardswish,
// nn.Hardsigmoid, nn.SiLU, nn.LeakyReLU, nn.GELU, nn.Softmax and nn.LogSoftmax, each a thin
// module over its F function with PyTorch's arguments and repr.
import type * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';
import { gelu, hardsigmoid, hardswish, hardtanh, leakyRelu, logSoftmax, silu, softmax, type GeluApproximate, type GeluOptions } from '../functional/activation.js';
import { checkOptions } from '@pq/core';
import { pyFloat } from '../py_repr.js';
import { checkNumber } from '../args.js';
import type { InplaceOptions } from './basic.js';
import { optionKeysOf } from './option_keys.js';

/** The `inplace` flag PyTorch's activations take (tfjs tensors are immutable: it changes nothing). */
export abstract class InplaceActivation extends Module {
  static optionKeys: readonly string[] = ['inplace'];
  readonly inplace: boolean;

  constructor(o: InplaceOptions) {
    super();
    checkOptions(this.typeName, o, optionKeysOf(this));
    this.inplace = o.inplace ?? false;
  }

  override extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/** min(max(x, minVal), maxVal); defaults -1 and 1. */
export class Hardtanh extends InplaceActivation {
  readonly minVal: number;
  readonly maxVal: number;

  constructor(minVal = -1, maxVal = 1, o: InplaceOptions = {}) {
    super(o);
    this.minVal = checkNumber(this.typeName, 'minVal', minVal);
    this.maxVal = checkNumber(this.typeName, 'maxVal', maxVal);
    if (!(maxVal > minVal)) throw new Error(`${this.typeName}: maxVal (${maxVal}) must be greater than minVal (${minVal})`);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return hardtanh(x, this.minVal, this.maxVal);
  }

  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

/** min(max(x, 0), 6): Hardtanh(0, 6), as PyTorch defines it. */
export class ReLU6 extends Hardtanh {
  constructor(o: InplaceOptions = {}) {
    super(0, 6, o);
  }

  override extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/** x · relu6(x + 3) / 6. */
export class Hardswish extends InplaceActivation {
  constructor(o: InplaceOptions = {}) {
    super(o);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return hardswish(x);
  }

  override extraRepr(): string {
    return '';
  }
}

/** relu6(x + 3) / 6. */
export class Hardsigmoid extends InplaceActivation {
  constructor(o: InplaceOptions = {}) {
    super(o);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return hardsigmoid(x);
  }

  override extraRepr(): string {
    return '';
  }
}

/** x · sigmoid(x). */
export class SiLU extends InplaceActivation {
  constructor(o: InplaceOptions = {}) {
    super(o);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return silu(x);
  }
}

/** x where x > 0, negativeSlope · x elsewhere (default slope 0.01). */
export class LeakyReLU extends InplaceActivation {
  readonly negativeSlope: number;

  constructor(negativeSlope = 0.01, o: InplaceOptions = {}) {
    super(o);
    this.negativeSlope = checkNumber(this.typeName, 'negativeSlope', negativeSlope);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return leakyRelu(x, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

/** GELU with `approximate` 'none' (default, exact erf) or 'tanh'. */
export class GELU extends Module {
  static optionKeys: readonly string[] = ['approximate'];
  readonly approximate: GeluApproximate;

  constructor(o: GeluOptions = {}) {
    super();
    checkOptions(this.typeName, o, optionKeysOf(this));
    this.approximate = o.approximate ?? 'none';
    if (this.approximate !== 'none' && this.approximate !== 'tanh') {
      throw new Error(`${this.typeName}: approximate must be 'none' or 'tanh', got '${String(this.approximate)}'`);
    }
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return gelu(x, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** Softmax along `dim` (omitted: PyTorch's implicit dim, 0 for ranks 0, 1 and 3, else 1). */
export class Softmax extends Module {
  constructor(readonly dim: number | null = null) {
    super();
    if (dim !== null && !Number.isInteger(dim)) throw new Error(`${this.typeName}: dim must be an integer or null, got ${String(dim)}`);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return softmax(x, this.dim ?? undefined);
  }

  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/** log(softmax(x)) along `dim`, computed stably. */
export class LogSoftmax extends Module {
  constructor(readonly dim: number | null = null) {
    super();
    if (dim !== null && !Number.isInteger(dim)) throw new Error(`${this.typeName}: dim must be an integer or null, got ${String(dim)}`);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return logSoftmax(x, this.dim ?? undefined);
  }

  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}
