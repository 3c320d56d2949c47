// The exported LeNet in ONNX Runtime against pq's own forward pass on the test set
// (@pq/app-kit's compareWithOnnx). The runtime is passed in: onnxruntime-node on Node
// (onnxCheck.ts), onnxruntime-web in a browser.
import { type OnnxBatch, type OnnxRuntime, compareWithOnnx } from '@pq/app-kit';
import { IMAGE_SIZE, type Split, batchesInOrder } from './data/dataset.js';
import { EVAL_BATCH, NUM_CLASSES } from './evaluate.js';

export type { OnnxRuntime };

export interface OnnxCheck {
  maxAbsDiff: number;
  /** Test images with an output more than ONNX_DIFF_TOLERANCE away from pq's. */
  differingImages: number;
  argmaxAgreement: number;
}

export async function compareOnnx(
  ort: OnnxRuntime, bytes: Uint8Array, pqPredict: (batch: Split) => Float32Array, test: Split,
): Promise<OnnxCheck> {
  const batches = (function* (): Generator<OnnxBatch & { split: Split }> {
    for (const split of batchesInOrder(test, EVAL_BATCH)) {
      yield { input: split.images, shape: [split.count, 1, IMAGE_SIZE, IMAGE_SIZE], labels: split.labels, split };
    }
  })();
  const { maxAbsDiff, differingImages, argmaxAgreement } = await compareWithOnnx(ort, bytes, batches, (b) => pqPredict(b.split), NUM_CLASSES);
  return { maxAbsDiff, differingImages, argmaxAgreement };
}
