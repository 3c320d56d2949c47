// Runs an exported model in ONNX Runtime on the test set and compares it with pq's own
// forward pass: the largest absolute difference of the outputs, how many test images differ by
// more than float32 rounding, and how often argmax agrees. The runtime is passed in:
// onnxruntime-node on Node (onnxCheck.ts), onnxruntime-web in a browser.
import { IMAGE_SIZE, type Split, batchesInOrder } from './data/dataset.js';
import { EVAL_BATCH, argmaxRows } from './evaluate.js';
import { ONNX_DIFF_TOLERANCE } from './summary.js';

export interface OnnxCheck {
  maxAbsDiff: number;
  /** Test images with an output more than ONNX_DIFF_TOLERANCE away from pq's. */
  differingImages: number;
  argmaxAgreement: number;
}

interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { readonly data: unknown }>>;
  release(): Promise<void>;
}

/** What the comparison needs of an ONNX Runtime module (onnxruntime-node or onnxruntime-web). */
export interface OnnxRuntime {
  readonly InferenceSession: { create(bytes: Uint8Array, options: { graphOptimizationLevel: 'basic' }): Promise<OrtSession> };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}

export async function compareOnnx(
  ort: OnnxRuntime, bytes: Uint8Array, pqPredict: (batch: Split) => Float32Array, test: Split,
): Promise<OnnxCheck> {
  // 'basic' keeps the Q/DQ nodes, so ORT runs the exported graph's exact math on any CPU; at its
  // default level ORT fuses them into int8 kernels whose rounding differs by CPU.
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'basic' });
  try {
    const input = session.inputNames[0];
    const output = session.outputNames[0];
    if (input === undefined || output === undefined) throw new Error('ONNX check: the exported model has no input or no output');
    let maxAbsDiff = 0;
    let agree = 0;
    let differingImages = 0;
    for (const batch of batchesInOrder(test, EVAL_BATCH)) {
      const feeds = { [input]: new ort.Tensor('float32', batch.images, [batch.count, 1, IMAGE_SIZE, IMAGE_SIZE]) };
      const result = await session.run(feeds);
      const ours = pqPredict(batch);
      const theirs = result[output]!.data as Float32Array;
      if (theirs.length !== ours.length) {
        throw new Error(`ONNX check: onnxruntime returned ${theirs.length} values for a batch of ${batch.count}, pq ${ours.length}`);
      }
      const classes = ours.length / batch.count;
      for (let n = 0; n < batch.count; n++) {
        let rowMax = 0;
        for (let c = n * classes; c < (n + 1) * classes; c++) rowMax = Math.max(rowMax, Math.abs(ours[c]! - theirs[c]!));
        if (rowMax > ONNX_DIFF_TOLERANCE) differingImages++;
        maxAbsDiff = Math.max(maxAbsDiff, rowMax);
      }
      const a = argmaxRows(ours);
      const b = argmaxRows(theirs);
      for (let i = 0; i < batch.count; i++) if (a[i] === b[i]) agree++;
    }
    return { maxAbsDiff, differingImages, argmaxAgreement: agree / test.count };
  } finally {
    await session.release();
  }
}
