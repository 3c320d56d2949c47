// nn.Embedding: a [num, dim] table looked up by index; weight ~ N(0, 1), the padding row zeros.
import * as tf from '@tensorflow/tfjs-core';
import { Module, parameter } from '../module.js';
import { embedding } from '../functional/embedding.js';
import { normal } from '../init.js';
import { checkOptions } from '@pq/core';
import { checkPositiveInt } from '../args.js';
import { optionKeysOf } from './option_keys.js';

export interface EmbeddingLayerOptions {
  /** This row starts as zeros and gets no gradient (negative counts from the end). */
  paddingIdx?: number | null;
}

export class Embedding extends Module {
  static optionKeys: readonly string[] = ['paddingIdx'];
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** The padding row, normalised to 0..num-1 (PyTorch stores it so too), or null. */
  readonly paddingIdx: number | null;
  weight: tf.Variable;

  constructor(numEmbeddings: number, embeddingDim: number, o: EmbeddingLayerOptions = {}) {
    super();
    checkOptions(this.typeName, o, optionKeysOf(this));
    this.numEmbeddings = checkPositiveInt(this.typeName, 'numEmbeddings', numEmbeddings);
    this.embeddingDim = checkPositiveInt(this.typeName, 'embeddingDim', embeddingDim);
    const p = o.paddingIdx ?? null;
    if (p !== null && (!Number.isInteger(p) || p < -numEmbeddings || p >= numEmbeddings)) {
      throw new Error(`${this.typeName}: paddingIdx must be within num_embeddings (-${numEmbeddings}..${numEmbeddings - 1}), got ${p}`);
    }
    this.paddingIdx = p === null ? null : p < 0 ? p + numEmbeddings : p;
    this.weight = parameter(this.initialWeight(), 'weight');
  }

  private initialWeight(): tf.Tensor {
    const w = normal([this.numEmbeddings, this.embeddingDim]);
    if (this.paddingIdx === null) return w;
    const data = w.dataSync().slice();
    w.dispose();
    data.fill(0, this.paddingIdx * this.embeddingDim, (this.paddingIdx + 1) * this.embeddingDim);
    return tf.tensor(data, [this.numEmbeddings, this.embeddingDim], 'float32');
  }

  /** Redraws the weight from N(0, 1), the padding row zeros. */
  resetParameters(): void {
    const w = this.initialWeight();
    this.weight.assign(w);
    w.dispose();
  }

  /** Rows of the table for integer indices (an int32 tensor or an array); shape [...indices, dim]. */
  override forward(input: tf.Tensor | readonly number[]): tf.Tensor {
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, padding_idx=${this.paddingIdx}`}`;
  }
}
