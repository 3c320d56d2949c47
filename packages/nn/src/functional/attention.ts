// Scaled dot-product attention and the attention masks it and MultiheadAttention share. Masks
// become additive float tensors built from their values (no tfjs op runs on them), so during
// ONNX export they are constants of the graph.
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions, formatShape } from '@pq/core';
import { add, mul } from './arithmetic.js';
import { dropout, softmax } from './activation.js';
import { matmul } from './matmul.js';
import { transpose } from './shape.js';

/**
 * `mask` as additive values: a bool mask gives -Infinity where `blocked` is its value (true for
 * MultiheadAttention's masks, false for scaledDotProductAttention's) and 0 elsewhere; a float
 * mask is added as it is.
 */
export function additiveMask(mask: tf.Tensor, blocked: boolean, what: string): Float32Array {
  if (!(mask instanceof tf.Tensor)) throw new TypeError(`${what} must be a tf.Tensor (bool or float32), got ${String(mask)}`);
  if (mask.dtype === 'bool') {
    const values = mask.dataSync();
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) if ((values[i] !== 0) === blocked) out[i] = -Infinity;
    return out;
  }
  if (mask.dtype !== 'float32') throw new TypeError(`${what} must be a bool or float32 tensor, got dtype ${mask.dtype}`);
  return Float32Array.from(mask.dataSync());
}

export interface ScaledDotProductAttentionOptions {
  /** Bool (true = may attend) or float (added to the scores), broadcastable to [..., L, S]. */
  attnMask?: tf.Tensor | null;
  /** Dropout probability on the attention weights (default 0). */
  dropoutP?: number;
  /** A lower-triangular mask: position i attends to keys 0..i (no attnMask with it). */
  isCausal?: boolean;
  /** Multiplies the scores (default 1 / sqrt(E)). */
  scale?: number | null;
}

/**
 * `softmax(q kᵀ * scale + mask) v` (torch.nn.functional.scaled_dot_product_attention), for q
 * [..., L, E], k [..., S, E], v [..., S, Ev]; the result is [..., L, Ev]. Built from F ops, so
 * it is differentiable and exports to ONNX as MatMul / Softmax / MatMul.
 */
export function scaledDotProductAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, o: ScaledDotProductAttentionOptions = {}): tf.Tensor {
  checkOptions('scaledDotProductAttention', o, { attnMask: 'any', dropoutP: 'number', isCausal: 'boolean', scale: 'any' });
  if (q.rank < 2 || k.rank < 2 || v.rank < 2 || q.shape[q.rank - 1] !== k.shape[k.rank - 1] || k.shape[k.rank - 2] !== v.shape[v.rank - 2]) {
    throw new Error(
      `scaledDotProductAttention: expected q [..., L, E], k [..., S, E], v [..., S, Ev], got ${formatShape(q.shape)}, ${formatShape(k.shape)}, ${formatShape(v.shape)}`,
    );
  }
  const p = o.dropoutP ?? 0;
  if (!(p >= 0 && p <= 1)) throw new Error(`scaledDotProductAttention: dropoutP must be between 0 and 1, got ${p}`);
  const L = q.shape[q.rank - 2]!;
  const S = k.shape[k.rank - 2]!;
  const E = q.shape[q.rank - 1]!;
  const scale = o.scale ?? 1 / Math.sqrt(E);
  return tf.tidy(() => {
    let mask: tf.Tensor | null = null;
    if (o.isCausal) {
      if (o.attnMask) throw new Error('scaledDotProductAttention: isCausal needs no attnMask (the causal mask is built in)');
      const m = new Float32Array(L * S);
      for (let i = 0; i < L; i++) for (let j = i + 1; j < S; j++) m[i * S + j] = -Infinity;
      mask = tf.tensor(m, [L, S], 'float32');
    } else if (o.attnMask) {
      const scoresShape = [...q.shape.slice(0, -2), L, S];
      try {
        tf.backend_util.assertAndGetBroadcastShape(o.attnMask.shape, scoresShape);
      } catch {
        throw new Error(`scaledDotProductAttention: attnMask of shape ${formatShape(o.attnMask.shape)} does not broadcast to the scores [..., L, S] = ${formatShape(scoresShape)}`);
      }
      mask = tf.tensor(additiveMask(o.attnMask, false, 'scaledDotProductAttention: attnMask'), o.attnMask.shape, 'float32');
    }
    let scores = matmul(mul(q, scale), transpose(k, -2, -1));
    if (mask !== null) scores = add(scores, mask);
    let weights = softmax(scores, -1);
    if (p > 0) weights = dropout(weights, p, true);
    return matmul(weights, v);
  });
}
