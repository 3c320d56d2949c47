// Parameter-free layers: nn.ReLU, nn.Sigmoid, nn.Tanh, nn.Dropout, nn.Flatten, nn.Identity.
import type * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';
import { dropout, relu, sigmoid, tanh } from '../functional/activation.js';
import { flatten } from '../functional/shape.js';
import { checkOptions } from '@pq/core';
import { pyBool, pyFloat } from '../py_repr.js';
import { optionKeysOf } from './option_keys.js';
import { InplaceActivation } from './activation.js';

export interface InplaceOptions {
  /** Accepted for PyTorch compatibility; tfjs tensors are immutable, so it changes nothing. */
  inplace?: boolean;
}

export class ReLU extends InplaceActivation {
  constructor(o: InplaceOptions = {}) {
    super(o);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return relu(x);
  }
}

export class Sigmoid extends Module {
  override forward(x: tf.Tensor): tf.Tensor {
    return sigmoid(x);
  }
}

export class Tanh extends Module {
  override forward(x: tf.Tensor): tf.Tensor {
    return tanh(x);
  }
}

export class Identity extends Module {
  override forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
}

/** Zeroes elements with probability p (scaling the rest by 1/(1-p)) in training mode only. */
export class Dropout extends Module {
  static optionKeys: readonly string[] = ['inplace'];
  readonly p: number;
  readonly inplace: boolean;

  constructor(p = 0.5, o: InplaceOptions = {}) {
    super();
    checkOptions(this.typeName, o, optionKeysOf(this));
    if (!(p >= 0 && p <= 1)) throw new Error(`${this.typeName}: dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = o.inplace ?? false;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/** Merges dims startDim..endDim (defaults 1 and -1: keeps the batch dim). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
    if (!Number.isInteger(startDim) || !Number.isInteger(endDim)) {
      throw new Error(`${this.typeName}: startDim and endDim must be integers, got ${startDim} and ${endDim}`);
    }
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return flatten(x, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
