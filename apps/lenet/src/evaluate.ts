// Test-set accuracy: argmax of the model's log-probabilities, in fixed-size batches.
import { argmaxRows } from '@pq/app-kit';
import { type Split, batchesInOrder } from './data/dataset.js';

export const EVAL_BATCH = 500;
export const NUM_CLASSES = 10;

export function accuracy(predict: (batch: Split) => Float32Array, test: Split): number {
  let correct = 0;
  for (const batch of batchesInOrder(test, EVAL_BATCH)) {
    const pred = argmaxRows(predict(batch), NUM_CLASSES);
    for (let i = 0; i < batch.count; i++) if (pred[i] === batch.labels[i]) correct++;
  }
  return correct / test.count;
}
