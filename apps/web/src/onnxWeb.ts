// The exported QAT model in onnxruntime-web (its WebAssembly CPU backend), next to pq's own
// forward on the test slice: @pq/app-kit's compareWithOnnx, the check the CLI runs with
// onnxruntime-node, plus ORT's own accuracy. 'basic' graph optimisation keeps the Q/DQ pairs, so ORT computes the
// exported graph's exact math (the default level fuses int8 kernels that vary by CPU).
import * as ort from 'onnxruntime-web/wasm';
import { type OnnxCheck, type OnnxRuntime, compareWithOnnx } from '@pq/app-kit';
import { IMAGE_SIZE, NUM_CLASSES, EVAL_BATCH, type Split, batchesInOrder } from '@pq/lenet-app/browser';

let configured = false;

function runtime(): OnnxRuntime {
  if (!configured) {
    // One thread: the model is tiny. (The .wasm comes from beside ORT's module: vite.config.ts.)
    ort.env.wasm.numThreads = 1;
    // ORT logs warnings (e.g. "Unknown CPU vendor" under some hypervisors) with console.error.
    ort.env.logLevel = 'error';
    configured = true;
  }
  return ort as unknown as OnnxRuntime;
}

/** ORT against pq on the test slice: output differences, argmax agreement, ORT's own accuracy. */
export function checkInOrt(bytes: Uint8Array, pqPredict: (b: Split) => Float32Array, test: Split): Promise<OnnxCheck> {
  const batches = [...batchesInOrder(test, EVAL_BATCH)].map((split) => ({
    input: split.images, shape: [split.count, 1, IMAGE_SIZE, IMAGE_SIZE], labels: split.labels, split,
  }));
  return compareWithOnnx(runtime(), bytes, batches, (b) => pqPredict(b.split), NUM_CLASSES);
}

let drawSession: { bytes: Uint8Array; session: Promise<ort.InferenceSession> } | null = null;

/** ORT's log-probabilities for one normalised 28x28 image (one session per exported model, kept). */
export async function ortPredict(bytes: Uint8Array, image: Float32Array): Promise<Float32Array> {
  runtime();
  if (drawSession?.bytes !== bytes) {
    void drawSession?.session.then((s) => s.release());
    drawSession = { bytes, session: ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'basic' }) };
  }
  const session = await drawSession.session;
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', image, [1, 1, 28, 28]) });
  return out[session.outputNames[0]!]!.data as Float32Array;
}
