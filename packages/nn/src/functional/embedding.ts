// Embedding lookup: rows of a [num, dim] table by integer index.
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';
import { checkOptions, formatShape } from '@pq/core';

export interface EmbeddingOptions {
  /** The row at this index gets no gradient (PyTorch's padding_idx; negative counts from the end). */
  paddingIdx?: number | null;
}

/** Throws unless every index is an integer in 0..num-1. */
function checkIndices(t: tf.Tensor, num: number): void {
  const values = t.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= num) {
      throw new RangeError(`embedding: index ${v} (at position ${i}) is out of range for ${num} embeddings (expected 0..${num - 1})`);
    }
  }
}

/**
 * torch.nn.functional.embedding: `weight[input]`, output shape `[...input.shape, dim]`. Indices
 * are an int32 tensor (or integer-valued float32) or an array; out-of-range indices throw.
 */
export function embedding(input: tf.Tensor | readonly number[], weight: tf.Tensor, o: EmbeddingOptions = {}): tf.Tensor {
  checkOptions('embedding', o, { paddingIdx: 'any' });
  if (weight.rank !== 2) throw new Error(`embedding: weight must be [num_embeddings, embedding_dim], got shape ${formatShape(weight.shape)}`);
  const [num, dim] = weight.shape as [number, number];
  let paddingIdx = o.paddingIdx ?? null;
  if (paddingIdx !== null) {
    if (!Number.isInteger(paddingIdx) || paddingIdx < -num || paddingIdx >= num) {
      throw new RangeError(`embedding: paddingIdx must be an integer within num_embeddings (-${num}..${num - 1}), got ${paddingIdx}`);
    }
    if (paddingIdx < 0) paddingIdx += num;
  }
  const pad = paddingIdx;
  return tf.tidy(() => {
    const indices = input instanceof tf.Tensor ? input : tf.tensor(input as number[], undefined, 'int32');
    checkIndices(indices, num);
    return functional('embedding', [indices, weight], { paddingIdx: pad }, () =>
      tf.tidy(() => {
        const flat = tf.reshape(indices.dtype === 'int32' ? indices : tf.cast(indices, 'int32'), [-1]);
        const lookup = tf.customGrad(((w: tf.Tensor, save: tf.GradSaveFunc) => {
          save([flat]); // the backward pass needs it after this tidy has ended
          return {
            value: tf.gather(w, flat),
            // d weight: each row gets the sum of its lookups' gradients; the padding row none.
            gradFunc: (dy: tf.Tensor, [kept]: tf.Tensor[]) => {
              const g = tf.unsortedSegmentSum(dy, kept as tf.Tensor1D, num);
              if (pad === null) return g;
              const keep = new Float32Array(num).fill(1);
              keep[pad] = 0;
              return tf.mul(g, tf.tensor2d(keep, [num, 1]));
            },
          };
        }) as unknown as Parameters<typeof tf.customGrad>[0]);
        return tf.reshape(lookup(weight), [...indices.shape, dim]);
      }),
    );
  });
}
