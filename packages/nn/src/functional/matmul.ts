// Matrix products: torch.matmul (numpy broadcasting of the batch dims, 1-D operands promoted
// and their dim removed again) and torch.bmm (two 3-D batches of the same size).
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';
import { formatShape } from '@pq/core';

/** The broadcast batch dims of two matmul operands, or null when they do not broadcast. */
function broadcastBatch(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** torch.matmul(a, b): dot, matrix-vector, matrix or batched matrix product by the operands' ranks. */
export function matmul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.rank === 0 || b.rank === 0) throw new Error(`matmul: both arguments need at least 1 dimension, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  const as = a.rank === 1 ? [1, a.shape[0]!] : [...a.shape];
  const bs = b.rank === 1 ? [b.shape[0]!, 1] : [...b.shape];
  const k = as[as.length - 1]!;
  const batch = broadcastBatch(as.slice(0, -2), bs.slice(0, -2));
  if (k !== bs[bs.length - 2] || batch === null) {
    throw new Error(`matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied`);
  }
  const m = as[as.length - 2]!;
  const n = bs[bs.length - 1]!;
  const outShape = [...batch, ...(a.rank === 1 ? [] : [m]), ...(b.rank === 1 ? [] : [n])];
  return functional('matmul', [a, b], {}, () =>
    tf.tidy(() => {
      // tfjs's BatchMatMul gradient does not undo a broadcast, so operands are broadcast
      // explicitly (broadcastTo's gradient sums) and the product runs on 2-D or 3-D operands.
      let y: tf.Tensor;
      if (bs.length === 2) {
        y = tf.matMul(tf.reshape(a, [-1, k]), tf.reshape(b, bs));
      } else {
        const full = (t: tf.Tensor, s: number[], tail: number[]) => {
          const r = tf.reshape(t, s);
          const target = [...batch, ...tail];
          return tf.reshape(s.length === target.length && s.every((d, i) => d === target[i]) ? r : tf.broadcastTo(r, target), [-1, ...tail]);
        };
        y = tf.matMul(full(a, as, [m, k]), full(b, bs, [k, n]));
      }
      return tf.reshape(y, outShape);
    }),
  );
}

/** torch.bmm(a, b): a [B, n, m] times b [B, m, p] gives [B, n, p]. */
export function bmm(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.rank !== 3 || b.rank !== 3 || a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new Error(`bmm: expected [B, n, m] and [B, m, p], got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  return functional('matmul', [a, b], {}, () => tf.matMul(a, b));
}
