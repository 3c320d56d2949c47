// nn.MultiheadAttention (PyTorch 1.13's math path): packed in-projection `in_proj_weight`
// [3E, E] / `in_proj_bias` [3E], per-head scaled dot products, softmax, dropout, and the output
// projection `out_proj` (a Linear). Built from F ops, so it trains and exports to ONNX as
// MatMul / Softmax / MatMul; subclasses (QuantMultiheadAttention) hook the products' inputs.
import * as tf from '@tensorflow/tfjs-core';
import { Module, parameter } from '../module.js';
import { Linear } from './linear.js';
import { xavierUniform } from '../init.js';
import { add, div } from '../functional/arithmetic.js';
import { dropout, softmax } from '../functional/activation.js';
import { additiveMask } from '../functional/attention.js';
import { linear } from '../functional/linear.js';
import { bmm } from '../functional/matmul.js';
import { mean } from '../functional/reduce.js';
import { chunk, reshape, transpose } from '../functional/shape.js';
import { checkOptions, formatShape } from '@pq/core';
import { checkPositiveInt } from '../args.js';
import { pyBool } from '../py_repr.js';
import { optionKeysOf } from './option_keys.js';
import { QUANT_SWAPPABLE, quantSwap } from '../quant_swap.js';

export interface MultiheadAttentionOptions {
  /** Dropout probability on the attention weights in training mode (default 0). */
  dropout?: number;
  /** Biases on the in- and out-projections (default true). */
  bias?: boolean;
  /** Inputs and output are [N, L, E] instead of [L, N, E] (default false). */
  batchFirst?: boolean;
}

export interface MultiheadAttentionCallOptions {
  /** [N, S] (or [S] unbatched): bool, true = ignore that key; or float, added to the scores. */
  keyPaddingMask?: tf.Tensor | null;
  /** Return the attention weights too (default true, as PyTorch). */
  needWeights?: boolean;
  /** [L, S] or [N * numHeads, L, S]: bool, true = may not attend; or float, added to the scores. */
  attnMask?: tf.Tensor | null;
  /** Average the returned weights over the heads ([N, L, S]) or keep them ([N, numHeads, L, S]). Default true. */
  averageAttnWeights?: boolean;
}

const CALL_OPTIONS = { keyPaddingMask: 'any', needWeights: 'boolean', attnMask: 'any', averageAttnWeights: 'boolean' } as const;

export class MultiheadAttention extends Module {
  static optionKeys: readonly string[] = ['dropout', 'bias', 'batchFirst'];
  static readonly [QUANT_SWAPPABLE] = true;
  // `!`: the constructor's early return (a quantModules redirect) leaves them to the other object.
  readonly embedDim!: number;
  readonly numHeads!: number;
  readonly headDim!: number;
  readonly dropout!: number;
  readonly batchFirst!: boolean;
  in_proj_weight!: tf.Variable;
  in_proj_bias!: tf.Variable | null;
  out_proj!: Linear;

  constructor(embedDim: number, numHeads: number, o: MultiheadAttentionOptions = {}) {
    const swapped = quantSwap<MultiheadAttention>(new.target, [embedDim, numHeads, o]);
    if (swapped !== undefined) return swapped;
    super();
    checkOptions(this.typeName, o, optionKeysOf(this));
    this.embedDim = checkPositiveInt(this.typeName, 'embedDim', embedDim);
    this.numHeads = checkPositiveInt(this.typeName, 'numHeads', numHeads);
    if (embedDim % numHeads !== 0) throw new Error(`${this.typeName}: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    this.headDim = embedDim / numHeads;
    this.dropout = o.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new Error(`${this.typeName}: dropout must be between 0 and 1, got ${this.dropout}`);
    this.batchFirst = o.batchFirst ?? false;
    const bias = o.bias ?? true;
    this.in_proj_weight = parameter(xavierUniform([3 * embedDim, embedDim]), 'in_proj_weight');
    this.in_proj_bias = bias ? parameter(tf.zeros([3 * embedDim]), 'in_proj_bias') : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias });
    // PyTorch zeroes both projection biases after the Linear's own initialisation.
    tf.tidy(() => this.out_proj.bias?.assign(tf.zerosLike(this.out_proj.bias)));
  }

  /**
   * `[output, weights]` for query [L, N, E], key and value [S, N, E] ([N, L, E] / [N, S, E] with
   * batchFirst; [L, E] / [S, E] unbatched). weights is null unless needWeights.
   */
  override forward(query: tf.Tensor, key: tf.Tensor, value: tf.Tensor, o: MultiheadAttentionCallOptions = {}): [tf.Tensor, tf.Tensor | null] {
    checkOptions(this.name, o, CALL_OPTIONS);
    const [out, weights] = tf.tidy(() => {
      const [y, w] = this.attention(query, key, value, o);
      return w === null ? [y] : [y, w];
    });
    return [out!, weights ?? null];
  }

  private attention(query: tf.Tensor, key: tf.Tensor, value: tf.Tensor, o: MultiheadAttentionCallOptions): [tf.Tensor, tf.Tensor | null] {
    const E = this.embedDim;
    const H = this.numHeads;
    const batched = query.rank === 3;
    const want = batched ? (this.batchFirst ? '[N, L, E]' : '[L, N, E]') : '[L, E]';
    if ((query.rank !== 2 && query.rank !== 3) || query.shape[query.rank - 1] !== E || key.rank !== query.rank || value.rank !== query.rank) {
      throw new Error(`${this.name}: expected query ${want} with E = ${E} and key / value of the same rank, got ${formatShape(query.shape)}, ${formatShape(key.shape)}, ${formatShape(value.shape)}`);
    }
    if (formatShape(key.shape) !== formatShape(value.shape) || key.shape[key.rank - 1] !== E) {
      throw new Error(`${this.name}: key shape ${formatShape(key.shape)} must equal value shape ${formatShape(value.shape)} and end in ${E}`);
    }
    // To [L, N, E] (PyTorch transposes batch-first inputs, adds a batch dim to unbatched ones).
    const seqFirst = (t: tf.Tensor): tf.Tensor => (!batched ? reshape(t, [t.shape[0]!, 1, E]) : this.batchFirst ? transpose(t, 0, 1) : t);
    const q = seqFirst(query);
    const k = key === query ? q : seqFirst(key);
    const v = value === key ? k : seqFirst(value);
    const [L, N] = q.shape as [number, number, number];
    if (k.shape[1] !== N) throw new Error(`${this.name}: query batch ${N} differs from key batch ${k.shape[1]}`);
    const S = k.shape[0]!;
    const mask = this.attentionMask(o, L, S, N, batched);

    const [qp, kp, vp] = this.inProjection(q, k, v);
    // -1 where the batch enters a shape, so an ONNX export keeps the batch free.
    const heads = (t: tf.Tensor, len: number) => transpose(reshape(t, [len, -1, this.headDim]), 0, 1);
    const qh = div(heads(qp, L), Math.sqrt(this.headDim));
    const kh = heads(kp, S);
    const vh = heads(vp, S);
    let scores = this.scores(qh, transpose(kh, 1, 2));
    if (mask !== null) scores = add(scores, mask);
    let weights = softmax(scores, -1);
    if (this.training && this.dropout > 0) weights = dropout(weights, this.dropout, true);
    let out = this.attend(weights, vh); // [N*H, L, hd]
    out = reshape(transpose(out, 0, 1), [-1, E]);
    out = reshape(this.out_proj.call(out) as tf.Tensor, [L, -1, E]);
    out = !batched ? reshape(out, [L, E]) : this.batchFirst ? transpose(out, 0, 1) : out;
    if (!(o.needWeights ?? true)) return [out, null];
    let w = reshape(weights, [-1, H, L, S]);
    if (o.averageAttnWeights ?? true) w = mean(w, 1);
    if (!batched) w = reshape(w, w.shape.slice(1));
    return [out, w];
  }

  /** q, k, v projected by the three row blocks of in_proj_weight (and in_proj_bias). */
  protected inProjection(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
    return this.project(q, k, v, this.in_proj_weight);
  }

  /** The in-projection with `weight` ([3E, E], possibly quantized) and in_proj_bias. */
  protected project(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, weight: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
    const [wq, wk, wv] = chunk(weight, 3, 0) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const [bq, bk, bv] = this.in_proj_bias === null ? [null, null, null] : chunk(this.in_proj_bias, 3, 0);
    return [linear(q, wq, bq), linear(k, wk, bk), linear(v, wv, bv)];
  }

  /** The first batched product, q kᵀ ([N*H, L, hd] x [N*H, hd, S]). */
  protected scores(q: tf.Tensor, kT: tf.Tensor): tf.Tensor {
    return bmm(q, kT);
  }

  /** The second batched product, weights v ([N*H, L, S] x [N*H, S, hd]). */
  protected attend(weights: tf.Tensor, v: tf.Tensor): tf.Tensor {
    return bmm(weights, v);
  }

  /** attnMask and keyPaddingMask merged into one additive [N*H or 1, L, S] constant, or null. */
  private attentionMask(o: MultiheadAttentionCallOptions, L: number, S: number, N: number, batched: boolean): tf.Tensor | null {
    const H = this.numHeads;
    const name = this.name;
    let out: Float32Array | null = null;
    let rows = 1;
    if (o.attnMask) {
      const m = o.attnMask;
      if (m.rank === 2 && (m.shape[0] !== L || m.shape[1] !== S)) throw new Error(`${name}: the shape of the 2D attnMask is ${formatShape(m.shape)}, but should be [${L}, ${S}]`);
      if (m.rank === 3 && (m.shape[0] !== N * H || m.shape[1] !== L || m.shape[2] !== S)) {
        throw new Error(`${name}: the shape of the 3D attnMask is ${formatShape(m.shape)}, but should be [${N * H}, ${L}, ${S}]`);
      }
      if (m.rank !== 2 && m.rank !== 3) throw new Error(`${name}: attnMask must be 2D [L, S] or 3D [N * numHeads, L, S], got ${formatShape(m.shape)}`);
      out = additiveMask(m, true, `${name}: attnMask`);
      rows = m.rank === 3 ? N * H : 1;
    }
    if (o.keyPaddingMask) {
      const m = o.keyPaddingMask;
      const shape = batched ? [N, S] : [S];
      if (formatShape(m.shape) !== formatShape(shape)) throw new Error(`${name}: expected keyPaddingMask of shape ${formatShape(shape)}, got ${formatShape(m.shape)}`);
      const kpm = additiveMask(m, true, `${name}: keyPaddingMask`);
      const merged = new Float32Array(N * H * L * S);
      for (let b = 0; b < N * H; b++) {
        for (let i = 0; i < L; i++) {
          for (let j = 0; j < S; j++) {
            const a = out === null ? 0 : out[(rows === 1 ? 0 : b) * L * S + i * S + j]!;
            merged[(b * L + i) * S + j] = a + kpm[Math.floor(b / H) * S + j]!;
          }
        }
      }
      out = merged;
      rows = N * H;
    }
    return out === null ? null : tf.tensor(out, [rows, L, S], 'float32');
  }

  /** The layer with its settings, for messages (PyTorch's repr shows only the out_proj child). */
  protected get name(): string {
    return `${this.typeName}(embed_dim=${this.embedDim}, num_heads=${this.numHeads}, batch_first=${pyBool(this.batchFirst)})`;
  }
}
