// nn.TransformerEncoderLayer and nn.TransformerEncoder (PyTorch 1.13's math path and names:
// self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2; layers.0, layers.1).
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';
import { add } from '../functional/arithmetic.js';
import { gelu, relu } from '../functional/activation.js';
import { checkOptions } from '@pq/core';
import { checkPositiveInt } from '../args.js';
import { MultiheadAttention } from './attention.js';
import { Dropout } from './basic.js';
import { LayerNorm } from './layer_norm.js';
import { Linear } from './linear.js';
import { ModuleList } from './container.js';
import { optionKeysOf } from './option_keys.js';

export type TransformerActivation = 'relu' | 'gelu';

export interface TransformerEncoderLayerOptions {
  /** Width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability everywhere in the layer (default 0.1). */
  dropout?: number;
  /** The feed-forward activation (default 'relu'; 'gelu' is the exact, erf-based GELU). */
  activation?: TransformerActivation;
  /** LayerNorm eps (default 1e-5). */
  layerNormEps?: number;
  /** Inputs and output are [N, S, E] instead of [S, N, E] (default false). */
  batchFirst?: boolean;
  /** Pre-norm: normalise before attention and feed-forward instead of after (default false). */
  normFirst?: boolean;
}

export interface TransformerEncoderLayerCallOptions {
  /** Attention mask [S, S] or [N * nhead, S, S] (MultiheadAttention's attnMask). */
  srcMask?: tf.Tensor | null;
  /** [N, S]: true = a padding position that no query attends to. */
  srcKeyPaddingMask?: tf.Tensor | null;
}

export class TransformerEncoderLayer extends Module {
  static optionKeys: readonly string[] = ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst'];
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly normFirst: boolean;
  readonly activation: TransformerActivation;
  readonly #args: [number, number, TransformerEncoderLayerOptions];

  constructor(dModel: number, nhead: number, o: TransformerEncoderLayerOptions = {}) {
    super();
    checkOptions(this.typeName, o, optionKeysOf(this));
    checkPositiveInt(this.typeName, 'dModel', dModel);
    const ff = checkPositiveInt(this.typeName, 'dimFeedforward', o.dimFeedforward ?? 2048);
    const p = o.dropout ?? 0.1;
    const activation = o.activation ?? 'relu';
    if (activation !== 'relu' && activation !== 'gelu') {
      throw new Error(`${this.typeName}: activation should be 'relu' or 'gelu', not '${String(activation)}'`);
    }
    const eps = o.layerNormEps ?? 1e-5;
    this.#args = [dModel, nhead, { ...o }];
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: o.batchFirst ?? false });
    this.linear1 = new Linear(dModel, ff);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel);
    this.normFirst = o.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps });
    this.norm2 = new LayerNorm(dModel, { eps });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.activation = activation;
  }

  /** A new layer with the same settings and a copy of this one's state (PyTorch's deepcopy). */
  clone(): this {
    const Ctor = this.constructor as new (...a: [number, number, TransformerEncoderLayerOptions]) => this;
    const copy = new Ctor(...this.#args);
    copy.loadStateDict(this.stateDict());
    copy.train(this.training);
    return copy;
  }

  override forward(src: tf.Tensor, o: TransformerEncoderLayerCallOptions = {}): tf.Tensor {
    checkOptions(this.typeName, o, { srcMask: 'any', srcKeyPaddingMask: 'any' });
    return tf.tidy(() => {
      let x = src;
      if (this.normFirst) {
        x = add(x, this.selfAttentionBlock(this.norm1.call(x) as tf.Tensor, o));
        x = add(x, this.feedForwardBlock(this.norm2.call(x) as tf.Tensor));
      } else {
        x = this.norm1.call(add(x, this.selfAttentionBlock(x, o))) as tf.Tensor;
        x = this.norm2.call(add(x, this.feedForwardBlock(x))) as tf.Tensor;
      }
      return x;
    });
  }

  private selfAttentionBlock(x: tf.Tensor, o: TransformerEncoderLayerCallOptions): tf.Tensor {
    const [y] = this.self_attn.call(x, x, x, { attnMask: o.srcMask ?? null, keyPaddingMask: o.srcKeyPaddingMask ?? null, needWeights: false }) as [tf.Tensor, null];
    return this.dropout1.call(y) as tf.Tensor;
  }

  private feedForwardBlock(x: tf.Tensor): tf.Tensor {
    const h = this.linear1.call(x) as tf.Tensor;
    const a = this.activation === 'relu' ? relu(h) : gelu(h);
    return this.dropout2.call(this.linear2.call(this.dropout.call(a))) as tf.Tensor;
  }
}

export interface TransformerEncoderOptions {
  /** A final normalisation (e.g. a LayerNorm), applied after the last layer. */
  norm?: Module | null;
}

export interface TransformerEncoderCallOptions {
  /** Attention mask for every layer ([S, S] or [N * nhead, S, S]). */
  mask?: tf.Tensor | null;
  /** [N, S]: true = padding. */
  srcKeyPaddingMask?: tf.Tensor | null;
}

/**
 * `numLayers` copies of `encoderLayer` (each with its own copy of the state), run in turn. As in
 * PyTorch, `encoderLayer` is a template that stays the caller's: dispose it when no longer needed.
 */
export class TransformerEncoder extends Module {
  static optionKeys: readonly string[] = ['norm'];
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, o: TransformerEncoderOptions = {}) {
    super();
    checkOptions(this.typeName, o, optionKeysOf(this));
    if (!(encoderLayer instanceof TransformerEncoderLayer)) {
      throw new TypeError(`${this.typeName}: encoderLayer must be a TransformerEncoderLayer, got ${String(encoderLayer)}`);
    }
    this.numLayers = checkPositiveInt(this.typeName, 'numLayers', numLayers);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone()));
    const norm = o.norm ?? null;
    if (norm !== null && !(norm instanceof Module)) throw new TypeError(`${this.typeName}: norm must be a Module or null, got ${String(norm)}`);
    this.norm = norm;
  }

  override forward(src: tf.Tensor, o: TransformerEncoderCallOptions = {}): tf.Tensor {
    checkOptions(this.typeName, o, { mask: 'any', srcKeyPaddingMask: 'any' });
    return tf.tidy(() => {
      let out = src;
      for (const layer of this.layers.modules()) {
        out = layer.call(out, { srcMask: o.mask ?? null, srcKeyPaddingMask: o.srcKeyPaddingMask ?? null }) as tf.Tensor;
      }
      return this.norm === null ? out : (this.norm.call(out) as tf.Tensor);
    });
  }
}
