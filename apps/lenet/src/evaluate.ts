// Test-set accuracy: argmax of the model's log-probabilities, in fixed-size batches.
import { type Split, batchesInOrder } from './data/dataset.js';

export const EVAL_BATCH = 500;
export const NUM_CLASSES = 10;

/** Index of the largest of each row of `[n, classes]` scores (first one on ties). */
export function argmaxRows(scores: Float32Array, classes = NUM_CLASSES): Int32Array {
  const n = scores.length / classes;
  if (!Number.isInteger(n)) throw new Error(`argmaxRows: ${scores.length} scores are not rows of ${classes}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[i * classes + c]! > scores[i * classes + best]!) best = c;
    out[i] = best;
  }
  return out;
}

export function accuracy(predict: (batch: Split) => Float32Array, test: Split): number {
  let correct = 0;
  for (const batch of batchesInOrder(test, EVAL_BATCH)) {
    const pred = argmaxRows(predict(batch));
    for (let i = 0; i < batch.count; i++) if (pred[i] === batch.labels[i]) correct++;
  }
  return correct / test.count;
}
