// Runs an exported model in ONNX Runtime next to pq's own forward pass, batch by batch: the
// largest absolute difference of the outputs, how many samples differ by more than float32
// rounding, how often argmax agrees, and ONNX Runtime's own top-1 accuracy. The runtime is
// passed in: onnxruntime-node on Node (@pq/app-kit/node's loadOnnxRuntime), onnxruntime-web in
// a browser.
import { argmaxRows } from './evaluate.js';

/**
 * pq and ONNX Runtime compute the same float32 graph, summing convolutions in different orders:
 * that alone moves an output by about 1e-6. A difference above this means some value before a
 * quantizer rounded to the neighbouring level (it sat on a rounding boundary).
 */
export const ONNX_DIFF_TOLERANCE = 1e-4;

/** One batch: NCHW float32 input, its labels. */
export interface OnnxBatch {
  readonly input: Float32Array;
  readonly shape: readonly number[];
  readonly labels: Int32Array;
}

export interface OnnxCheck {
  maxAbsDiff: number;
  /** Samples with an output more than ONNX_DIFF_TOLERANCE away from pq's. */
  differingImages: number;
  argmaxAgreement: number;
  /** ONNX Runtime's top-1 accuracy on the batches' labels. */
  accuracy: number;
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

/** Compares ONNX Runtime's outputs for `bytes` with `pq`'s on every batch (rows of `classes` scores). */
export async function compareWithOnnx<B extends OnnxBatch>(
  ort: OnnxRuntime,
  bytes: Uint8Array,
  batches: Iterable<B>,
  pq: (batch: B) => Float32Array,
  classes: number,
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
    let correct = 0;
    let differingImages = 0;
    let count = 0;
    for (const batch of batches) {
      const n = batch.labels.length;
      const result = await session.run({ [input]: new ort.Tensor('float32', batch.input, [...batch.shape]) });
      const ours = pq(batch);
      const theirs = result[output]!.data as Float32Array;
      if (theirs.length !== ours.length || ours.length !== n * classes) {
        throw new Error(`ONNX check: onnxruntime returned ${theirs.length} values for a batch of ${n}, pq ${ours.length} (${classes} classes)`);
      }
      for (let i = 0; i < n; i++) {
        let rowMax = 0;
        for (let c = i * classes; c < (i + 1) * classes; c++) rowMax = Math.max(rowMax, Math.abs(ours[c]! - theirs[c]!));
        if (rowMax > ONNX_DIFF_TOLERANCE) differingImages++;
        maxAbsDiff = Math.max(maxAbsDiff, rowMax);
      }
      const a = argmaxRows(ours, classes);
      const b = argmaxRows(theirs, classes);
      for (let i = 0; i < n; i++) {
        if (a[i] === b[i]) agree++;
        if (b[i] === batch.labels[i]) correct++;
      }
      count += n;
    }
    if (count === 0) throw new Error('ONNX check: no samples to compare');
    return { maxAbsDiff, differingImages, argmaxAgreement: agree / count, accuracy: correct / count };
  } finally {
    await session.release();
  }
}
