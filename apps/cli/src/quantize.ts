// `pq quantize`: import, quantize the layers, calibrate (progress bar), optionally fine-tune,
// print the quantizers' amax, write the Q/DQ model atomically, then check it in
// onnxruntime-node against the float model on the calibration data.
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  EpochShuffler, ProgressBar, UsageError, argmaxRows, formatCount, formatPercent, formatTable, progressMode,
} from '@pq/app-kit';
import { invocationDir, loadOnnxRuntime, writeFileAtomic } from '@pq/app-kit/node';
import { setupCompute } from '@pq/app-kit/compute';
import {
  BatchNormNd, F, MAX_OPSET, MIN_OPSET, enableCalibration, exportOnnx, finishCalibration, matchesPattern, quantizers, replaceWithQuant, setQuantizerByCfg,
  type QuantCfg, type TensorQuantizer,
} from '@pq/nn';
import { OnnxImportError, formatDims, importOnnx, type OnnxModule } from '@pq/onnx';
import type { QuantizeOptions } from './args.js';
import { openDataset, type Dataset, type DataSpec } from './data.js';

export interface QuantizeResult {
  /** Quantizer name -> amax values (empty for a disabled quantizer). */
  amax: Map<string, number[]>;
  argmaxAgreement: number;
  maxDiffVsFloat: number;
  maxDiffVsPq: number;
  qatLosses: number[];
}

type Log = (line: string) => void;

/** A path as the log shows it: relative to where the command ran when it lies below. */
function shown(path: string): string {
  const rel = relative(invocationDir(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function readModel(path: string): { bytes: Uint8Array; model: OnnxModule } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new UsageError(`cannot read ${path} (${(e as Error).message})`);
  }
  try {
    return { bytes, model: importOnnx(bytes) };
  } catch (e) {
    if (e instanceof OnnxImportError) throw new Error(`${path}: ${e.message} (pq inspect ${path} lists every problem)`, { cause: e });
    throw e;
  }
}

/** Batches [start, end) of `data`, of `size` samples (a fixed batch dimension drops the remainder). */
function* batches(data: Dataset, size: number, fixed: boolean, order?: Int32Array): Generator<{ x: tf.Tensor; labels: Int32Array | null; start: number }> {
  const last = fixed ? data.count - (data.count % size) : data.count;
  for (let start = 0; start < last; start += size) {
    const end = Math.min(start + size, last);
    let values: Float32Array;
    let labels: Int32Array | null = null;
    if (order === undefined) {
      values = data.read(start, end);
      labels = data.labels?.slice(start, end) ?? null;
    } else {
      const per = data.sampleShape.reduce((a, b) => a * b, 1);
      values = new Float32Array((end - start) * per);
      for (let i = start; i < end; i++) values.set(data.read(order[i]!, order[i]! + 1), (i - start) * per);
      labels = data.labels === null ? null : Int32Array.from(order.subarray(start, end), (k) => data.labels![k]!);
    }
    yield { x: tf.tensor(values, [end - start, ...data.sampleShape]), labels, start };
  }
}

function formatAmax(q: TensorQuantizer): string {
  if (q.disabled) return 'float (excluded)';
  if (q.amax === null) return '-';
  const a = q.amax.dataSync();
  const fmt = (v: number) => v.toPrecision(5);
  if (a.length === 1) return fmt(a[0]!);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return `${fmt(lo)}..${fmt(hi)} (${a.length} channels)`;
}

export async function runQuantize(o: QuantizeOptions, log: Log): Promise<QuantizeResult> {
  const { bytes, model } = readModel(o.model);
  try {
    if (model.inputs.length !== 1) {
      throw new UsageError(`${o.model} has ${model.inputs.length} inputs (${model.inputs.map((i) => i.name).join(', ')}); pq quantize takes models with one input`);
    }
    const input = model.inputs[0]!;
    if (input.dtype !== 'float32' || input.shape === null) throw new UsageError(`${o.model}: input '${input.name}' must be a float tensor of known rank`);
    const batchDim = input.shape[0];
    const fixedBatch = typeof batchDim === 'number';
    const batchSize = fixedBatch ? (batchDim as number) : o.batchSize;
    const spec = (option: string, labels: string | null, limit: number | null): DataSpec => ({
      option, inputName: input.name, inputShape: input.shape!, size: o.size, resize: o.resize, mean: o.mean, std: o.std, labels, limit,
    });
    const calib = openDataset(o.calib, spec('--calib', null, o.calibSamples));
    const qat = o.qatData === null ? null : openDataset(o.qatData, spec('--qat-data', o.labels, null));
    for (const [name, d] of [['--calib', calib], ['--qat-data', qat]] as const) {
      if (d !== null && fixedBatch && d.count < batchSize) {
        throw new UsageError(`${name}: ${d.count} samples, fewer than the model's fixed batch of ${batchSize}`);
      }
    }
    log(`model: ${shown(o.model)}, opset ${model.opset}, input '${input.name}' ${formatDims(input.shape)}`);
    log(await setupCompute(o.backend, 'js'));

    // Quantize: pq's quant layers, weights per tensor unless --per-channel, histogram input calibrators for the histogram methods.
    const replaced = replaceWithQuant(model);
    if (replaced.length === 0) throw new Error(`${o.model}: no layer pq quantizes (convolutions, linear layers, average pools)`);
    for (const pattern of o.exclude) {
      if (!replaced.some((p) => matchesPattern(pattern, p))) {
        throw new UsageError(`--exclude ${pattern} matches no quantized layer (they are ${replaced.slice(0, 6).join(', ')}${replaced.length > 6 ? ', ...' : ''})`);
      }
    }
    const cfg: Record<string, object> = {};
    if (!o.perChannel) cfg['*weight_quantizer'] = { numBits: 8, axis: null };
    if (o.method !== 'max') cfg['*input_quantizer'] = { numBits: 8, axis: null, calibMethod: 'histogram' };
    if (Object.keys(cfg).length > 0) setQuantizerByCfg(model, cfg as QuantCfg);
    log(`quantized ${replaced.length} layers (weights per ${o.perChannel ? 'channel' : 'tensor'}), calibrating on ${calib.describe}`);

    const mode = progressMode(process.stdout, o.quiet);
    enableCalibration(model);
    const bar = new ProgressBar({ label: 'calibrating', total: fixedBatch ? calib.count - (calib.count % batchSize) : calib.count, out: process.stdout, mode, showLoss: false });
    for (const { x } of batches(calib, batchSize, fixedBatch)) {
      tf.tidy(() => void model.call(x));
      bar.tick(x.shape[0]!);
      x.dispose();
    }
    bar.finish();
    // Max calibrators load their running max; the histogram ones the method's amax.
    if (o.method === 'max') finishCalibration(model);
    else finishCalibration(model, o.method, { percentile: o.percentile });
    const excluded = (name: string) => o.exclude.some((p) => matchesPattern(p, name.slice(0, name.lastIndexOf('.'))));
    for (const [name, q] of quantizers(model)) if (excluded(name)) q.disable();

    const qatLosses = qat === null ? [] : await fineTune(model, bytes, qat, o, batchSize, fixedBatch, mode);
    const all = [...quantizers(model)];
    const calibrator = (q: TensorQuantizer) =>
      q.disabled ? '' : q.calibrator === null ? '-' : q.calibrator.constructor.name === 'MaxCalibrator' ? 'max' : o.method === 'percentile' ? `percentile ${o.percentile}` : o.method;
    for (const line of formatTable(['quantizer', 'amax', 'calibration'], all.map(([n, q]) => [n, formatAmax(q), calibrator(q)]))) log(line);

    const sample = batches(calib, batchSize, fixedBatch).next().value!.x;
    const opset = o.opset ?? Math.min(MAX_OPSET, Math.max(MIN_OPSET, model.opset));
    const qdq = exportOnnx(model, sample, { opset, inputNames: [input.name], outputNames: model.outputs.map((v) => v.name), dynamicBatch: !fixedBatch });
    sample.dispose();
    await writeFileAtomic(o.output, qdq);
    log(`wrote ${shown(o.output)} (${formatCount(qdq.length)} bytes, opset ${opset})`);

    const check = await checkOutputs(bytes, qdq, model, calib, batchSize, fixedBatch);
    log(`output check on ${formatCount(check.rows.samples)} calibration inputs (onnxruntime-node, graphOptimizationLevel 'basic'):`);
    for (const line of formatTable(['', 'argmax agreement', 'max |difference|'], [
      ['Q/DQ model vs float model', `${formatPercent(check.agreement)} of ${formatCount(check.rows.rows)}`, check.maxDiffVsFloat.toExponential(3)],
      ['Q/DQ model vs pq', '', check.maxDiffVsPq.toExponential(3)],
    ])) log(line);
    const amax = new Map(all.map(([n, q]) => [n, q.disabled || q.amax === null ? [] : Array.from(q.amax.dataSync())]));
    return { amax, argmaxAgreement: check.agreement, maxDiffVsFloat: check.maxDiffVsFloat, maxDiffVsPq: check.maxDiffVsPq, qatLosses };
  } finally {
    model.dispose();
  }
}

/** QAT: Adam on cross-entropy with labels, else on the squared error to the float model's outputs. */
async function fineTune(model: OnnxModule, bytes: Uint8Array, data: Dataset, o: QuantizeOptions, batchSize: number, fixed: boolean, mode: ReturnType<typeof progressMode>): Promise<number[]> {
  const teacher = data.labels === null ? importOnnx(bytes) : null;
  const optimizer = tf.train.adam(o.lr);
  const params = model.parameters().filter((p) => p.trainable);
  const shuffler = new EpochShuffler(0, data.count);
  const losses: number[] = [];
  // Fine-tuning on a small set: the batch-norm statistics stay as calibrated (eval mode), the rest trains.
  model.train();
  for (const [, m] of model.namedModules()) if (m instanceof BatchNormNd) m.eval();
  try {
    for (let epoch = 1; epoch <= o.qatEpochs; epoch++) {
      const order = shuffler.nextEpoch();
      const bar = new ProgressBar({ label: `QAT epoch ${epoch}/${o.qatEpochs}`, total: fixed ? data.count - (data.count % batchSize) : data.count, out: process.stdout, mode });
      let sum = 0;
      let n = 0;
      for (const { x, labels } of batches(data, batchSize, fixed, order)) {
        const target = teacher === null ? null : tf.tidy(() => teacher.call(x) as tf.Tensor);
        const loss = optimizer.minimize(() => {
          const y = model.call(x) as tf.Tensor;
          if (target !== null) return tf.losses.meanSquaredError(target, y) as tf.Scalar;
          if (y.rank !== 2) throw new UsageError(`--qat-data with labels needs a [batch, classes] output, the model's is [${y.shape.join(', ')}]; without labels QAT learns the float model's outputs`);
          const bad = labels!.findIndex((l) => l >= y.shape[1]!);
          if (bad >= 0) throw new UsageError(`--qat-data: label ${labels![bad]} is not a class of the model's ${y.shape[1]} outputs`);
          return F.crossEntropy(y, labels!) as tf.Scalar;
        }, true, params)!;
        const v = loss.dataSync()[0]!;
        if (!Number.isFinite(v)) throw new Error(`QAT epoch ${epoch}: the loss is ${v}; lower --lr`);
        sum += v * x.shape[0]!;
        n += x.shape[0]!;
        bar.tick(x.shape[0]!, v);
        tf.dispose([loss, x, ...(target ? [target] : [])]);
      }
      bar.finish();
      losses.push(sum / n);
    }
  } finally {
    model.eval();
    optimizer.dispose();
    teacher?.dispose();
  }
  return losses;
}

interface OutputCheck {
  agreement: number;
  maxDiffVsFloat: number;
  maxDiffVsPq: number;
  rows: { samples: number; rows: number };
}

/** The Q/DQ model in ONNX Runtime against the float model (and pq's forward) on the calibration data. */
async function checkOutputs(floatBytes: Uint8Array, qdqBytes: Uint8Array, model: OnnxModule, data: Dataset, batchSize: number, fixed: boolean): Promise<OutputCheck> {
  const ort = await loadOnnxRuntime();
  const [floatSession, qdqSession] = await Promise.all([floatBytes, qdqBytes].map((b) => ort.InferenceSession.create(b, { graphOptimizationLevel: 'basic' })));
  try {
    let agree = 0;
    let rows = 0;
    let samples = 0;
    let maxDiffVsFloat = 0;
    let maxDiffVsPq = 0;
    for (const { x } of batches(data, batchSize, fixed)) {
      const feed = (s: typeof floatSession) => ({ [s.inputNames[0]!]: new ort.Tensor('float32', x.dataSync() as Float32Array, [...x.shape]) });
      const f = (await floatSession!.run(feed(floatSession!)))[floatSession!.outputNames[0]!]!.data as Float32Array;
      const q = (await qdqSession!.run(feed(qdqSession!)))[qdqSession!.outputNames[0]!]!.data as Float32Array;
      const ours = tf.tidy(() => [model.call(x) as tf.Tensor | tf.Tensor[]].flat()[0]!.dataSync());
      const last = outputColumns(ours.length, x.shape[0]!, model);
      const [a, b] = [argmaxRows(q, last), argmaxRows(f, last)];
      for (let i = 0; i < a.length; i++) if (a[i] === b[i]) agree++;
      rows += a.length;
      samples += x.shape[0]!;
      for (let i = 0; i < q.length; i++) {
        maxDiffVsFloat = Math.max(maxDiffVsFloat, Math.abs(q[i]! - f[i]!));
        maxDiffVsPq = Math.max(maxDiffVsPq, Math.abs(q[i]! - ours[i]!));
      }
      x.dispose();
    }
    return { agreement: rows === 0 ? 1 : agree / rows, maxDiffVsFloat, maxDiffVsPq, rows: { samples, rows } };
  } finally {
    await Promise.all([floatSession!.release(), qdqSession!.release()]);
  }
}

/** The size of the first output's last axis (the scores argmax runs over). */
function outputColumns(total: number, batch: number, model: OnnxModule): number {
  const shape = model.outputs[0]!.shape;
  const last = shape?.[shape.length - 1];
  return typeof last === 'number' && last > 0 ? last : total / batch;
}
