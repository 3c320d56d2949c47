// The flow's steps on a model: SGD epochs with cross-entropy (train mode), top-1 evaluation
// (eval mode), and statistics collection for calibration, each with a progress bar and each
// yielding to the event loop between batches so that a Ctrl-C is handled promptly.
import * as tf from '@tensorflow/tfjs-core';
import { type EpochShuffler, type OnnxCheck, ProgressBar, type ProgressOutput, argmaxRows, compareWithOnnx, progressMode } from '@pq/app-kit';
import { loadOnnxRuntime } from '@pq/app-kit/node';
import { type ExportOnnxOptions, F, type Module, enableCalibration, exportOnnx } from '@pq/nn';
import { type Batch, type ImageSet, batchRanges } from './data/dataset.js';

export interface StepContext {
  out: ProgressOutput;
  quiet: boolean;
  now: () => number;
}

/** Lets pending events (a Ctrl-C) run between synchronous batches. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function input(b: Batch): tf.Tensor4D {
  return tf.tensor4d(b.images, [b.count, 3, b.size, b.size]);
}

/** Logits `[count, classes]` of a batch in eval mode. */
export function predict(model: Module, b: Batch): Float32Array {
  model.eval();
  const x = input(b);
  try {
    return tf.tidy(() => (model.call(x) as tf.Tensor).dataSync() as Float32Array).slice();
  } finally {
    x.dispose();
  }
}

/** Top-1 accuracy on `set`, in order, batches of `batchSize`. */
export async function evaluate(model: Module, set: ImageSet, batchSize: number, classes: number, label: string, ctx: StepContext): Promise<number> {
  const bar = new ProgressBar({ label, total: set.count, out: ctx.out, mode: progressMode(ctx.out, ctx.quiet), now: ctx.now, showLoss: false, lineSteps: 1 });
  let correct = 0;
  for (const idx of batchRanges(set.count, batchSize)) {
    const b = set.batch(idx, false);
    const pred = argmaxRows(predict(model, b), classes);
    for (let i = 0; i < b.count; i++) if (pred[i] === b.labels[i]) correct++;
    bar.tick(b.count);
    await yieldToEventLoop();
  }
  const accuracy = correct / set.count;
  bar.finish(`accuracy ${(accuracy * 100).toFixed(2)}%`);
  return accuracy;
}

export interface EpochResult {
  meanLoss: number;
  samplesPerSec: number;
}

/**
 * One epoch of SGD on `set` in the shuffler's next order: cross-entropy, `lrAt(step)` for each
 * step, `optimizer` (momentum or plain SGD) over the model's parameters, in train mode.
 */
export async function trainEpoch(
  model: Module,
  set: ImageSet,
  o: { batchSize: number; optimizer: tf.SGDOptimizer; lrAt: (step: number) => number; shuffler: EpochShuffler; label: string },
  ctx: StepContext,
): Promise<EpochResult> {
  const order = o.shuffler.nextEpoch();
  const bar = new ProgressBar({ label: o.label, total: set.count, out: ctx.out, mode: progressMode(ctx.out, ctx.quiet), now: ctx.now });
  const params = model.parameters();
  const t0 = ctx.now();
  let step = 0;
  for (let start = 0; start < set.count; start += o.batchSize) {
    const b = set.batch(order.subarray(start, Math.min(set.count, start + o.batchSize)), true);
    o.optimizer.setLearningRate(o.lrAt(step++));
    model.train();
    const x = input(b);
    let loss: number;
    try {
      const t = o.optimizer.minimize(() => F.crossEntropy(model.call(x) as tf.Tensor, b.labels) as tf.Scalar, true, params)!;
      loss = t.dataSync()[0]!;
      t.dispose();
    } finally {
      x.dispose();
    }
    if (!Number.isFinite(loss)) throw new Error(`${o.label}: the loss became ${loss} at step ${step}; try a smaller learning rate`);
    bar.tick(b.count, loss);
    await yieldToEventLoop();
  }
  const ms = ctx.now() - t0;
  bar.finish();
  return { meanLoss: bar.meanLoss, samplesPerSec: ms > 0 ? (set.count * 1000) / ms : 0 };
}

/**
 * The reference's collect_stats: every quantizer with a calibrator collects (quantization off),
 * the others are disabled, and `batches` training batches (training transform, in the
 * shuffler's order) run through the model in eval mode. finishCalibration loads the amax.
 */
export async function collectStats(model: Module, set: ImageSet, batches: number, batchSize: number, order: Int32Array, ctx: StepContext): Promise<number> {
  const count = Math.min(set.count, batches * batchSize);
  const bar = new ProgressBar({ label: 'calibrate', total: count, out: ctx.out, mode: progressMode(ctx.out, ctx.quiet), now: ctx.now, showLoss: false, lineSteps: 1 });
  model.eval();
  enableCalibration(model);
  for (let start = 0; start < count; start += batchSize) {
    const b = set.batch(order.subarray(start, Math.min(count, start + batchSize)), true);
    const x = input(b);
    try {
      tf.tidy(() => void model.call(x));
    } finally {
      x.dispose();
    }
    bar.tick(b.count);
    await yieldToEventLoop();
  }
  bar.finish(`${count.toLocaleString('en-US')} images`);
  return count;
}

/** `model` exported to ONNX (eval mode), traced on the first image of `set`; graph input 'input', output 'output'. */
export function exportModel(model: Module, set: ImageSet, o: ExportOnnxOptions = {}): Uint8Array {
  model.eval();
  const sample = set.batch([0], false);
  const x = tf.tensor4d(sample.images, [1, 3, sample.size, sample.size]);
  try {
    return exportOnnx(model, x, { inputNames: ['input'], outputNames: ['output'], producerName: 'pq classify', ...o });
  } finally {
    x.dispose();
  }
}

/** ONNX Runtime (onnxruntime-node) on `bytes` against pq's `model` on every batch of `set`. */
export async function checkOnnx(model: Module, bytes: Uint8Array, set: ImageSet, batchSize: number, classes: number): Promise<OnnxCheck> {
  const batches = (function* () {
    for (const idx of batchRanges(set.count, batchSize)) {
      const b = set.batch(idx, false);
      yield { input: b.images, shape: [b.count, 3, b.size, b.size], labels: b.labels, batch: b };
    }
  })();
  return compareWithOnnx(await loadOnnxRuntime(), bytes, batches, (b) => predict(model, b.batch), classes);
}
