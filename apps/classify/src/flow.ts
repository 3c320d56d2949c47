// The reference's classification flow (classification_flow.py) on a quantized model:
//  0. checks before any work (data, options against the data, --weights against the model, --out);
//  1. float: train from scratch with every quantizer disabled, or load --weights; evaluate;
//  2. PTQ: collect statistics on --num-calib-batch training batches, then per calibrator load
//     each method's amax (max; every --percentile, mse and entropy for histogram) and evaluate
//     it; keep the best;
//  3. sensitivity: the kept model with one layer's quantizers disabled at a time;
//  4. fine-tune (QAT) the kept model; 5. export it to ONNX and evaluate that in ONNX Runtime;
//  6. summary.json, report.html, the tables.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { HistogramCalibrator } from '@pq/calib';
import { EpochShuffler, type ProgressOutput, UsageError, cosineLr, formatCount, warmupCosineLr } from '@pq/app-kit';
import { checkFiniteWeights, checkJsonPath, prepareOutDir, writeFileAtomic } from '@pq/app-kit/node';
import type { CalibHistogram, EpochRecord } from '@pq/app-kit/report';
import { type Module, MomentumSGD, type StateDict, encodeSafetensors, finishCalibration, manualSeed, quantizers } from '@pq/nn';
import type { Calibrator, ClassifyOptions } from './args.js';
import type { ClassifyData } from './data/dataset.js';
import { FLOAT_MODELS, type ModelRegistry, buildQuantModel } from './models.js';
import { presetOutputs, runPresetStep } from './presetStep.js';
import { quantLayers, withDisabled } from './quantizers.js';
import { renderReport } from './report.js';
import { type StepContext, checkOnnx, collectStats, evaluate, exportModel, trainEpoch } from './steps.js';
import { type PtqResult, type SensitivityRow, type Summary, formatSummaryTables, summaryJson } from './summary.js';
import { loadWeightsInto, readWeights } from './weights.js';

/** SGD momentum of float training (torchvision's reference recipe). */
export const MOMENTUM = 0.9;
/** Float training warms the learning rate up linearly over this many steps, then anneals it (cosine). */
export const WARMUP_STEPS = 10;

export const OUTPUT_RECORD = { file: 'classify-outputs.json', writer: 'pq-classify' } as const;

/** The output files of a run with these options (state dicts named as the reference names its .pth files). */
export function plannedOutputs(
  o: Pick<ClassifyOptions, 'model' | 'calibrators' | 'percentiles' | 'numCalibBatch' | 'numFinetuneEpochs' | 'evaluateOnnx' | 'quantConfigs'>, calibImages: number,
): string[] {
  const files = [`${o.model}-float.safetensors`];
  if (o.numCalibBatch > 0) for (const m of ptqMethods(o)) files.push(`${o.model}-${m}-${calibImages}.safetensors`);
  if (o.numCalibBatch > 0) files.push(...presetOutputs(o.model, o.quantConfigs, o.evaluateOnnx));
  if (o.numFinetuneEpochs > 0) files.push(`${o.model}-finetuned.safetensors`);
  if (o.evaluateOnnx) files.push(`${o.model}.onnx`);
  return [...files, 'summary.json', 'report.html'];
}

/** Any file a run of this app can write (for the run record). */
export function isOutputName(f: string): boolean {
  return f === 'summary.json' || f === 'report.html' || /\.(safetensors|onnx)$/.test(f);
}

/** The PTQ methods in the order they are evaluated. */
export function ptqMethods(o: Pick<ClassifyOptions, 'calibrators' | 'percentiles'>): string[] {
  const out: string[] = [];
  if (o.calibrators.includes('max')) out.push('max');
  if (o.calibrators.includes('histogram')) out.push(...o.percentiles.map((p) => `percentile-${p}`), 'mse', 'entropy');
  return out;
}

export interface FlowDeps {
  data: ClassifyData;
  models: ModelRegistry;
  /** The float models --quant-config quantizes (default the zoo's, FLOAT_MODELS). */
  floatModels?: ModelRegistry;
  out: ProgressOutput;
  /** Shown in report.html. */
  command?: string;
  now?: () => number;
  /** Warnings go here (default stderr) and into the summary. */
  warn?: (line: string) => void;
}

export type FlowOptions = Omit<ClassifyOptions, 'data' | 'imageSize' | 'resizeSize' | 'mean' | 'std' | 'trainLimit' | 'valLimit' | 'kernels' | 'backend'>;

/** Per-tensor amax (one value: inputs, residual branches) by state-dict name. */
function perTensorAmax(dict: StateDict): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(dict)) if (k.endsWith('._amax') && t.data.length === 1) out[k] = [t.data[0]!];
  return out;
}

/** A copy of the float entries of a state dict (no quantizer state). */
function floatState(dict: StateDict): StateDict {
  const out: StateDict = Object.create(null) as StateDict;
  for (const [k, t] of Object.entries(dict)) if (!/\._amax$|_quantizer\./.test(k)) out[k] = t;
  return out;
}

function histogramsOf(model: Module): CalibHistogram[] {
  const out: CalibHistogram[] = [];
  for (const [name, q] of quantizers(model)) {
    const h = q.calibrator instanceof HistogramCalibrator ? q.calibrator.histogram : null;
    if (h) out.push({ quantizer: name, edges: h.edges, counts: h.counts });
  }
  return out;
}

/** Loads the amax of `method` ('max', 'percentile-P', 'mse', 'entropy') from the collected statistics. */
function loadMethod(model: Module, method: string): void {
  if (method === 'max') finishCalibration(model);
  else if (method.startsWith('percentile-')) finishCalibration(model, 'percentile', { percentile: Number(method.slice('percentile-'.length)) });
  else finishCalibration(model, method as 'mse' | 'entropy');
}

export async function runFlow(o: FlowOptions, deps: FlowDeps): Promise<Summary> {
  const { data, models } = deps;
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const cpuStart = process.cpuUsage();
  const ctx: StepContext = { out: deps.out, quiet: o.quiet, now };
  const log = (line: string): void => {
    if (!o.quiet) deps.out.write(`${line}\n`);
  };
  const warnings: string[] = [];
  const warn = (line: string): void => {
    warnings.push(line);
    (deps.warn ?? ((l) => process.stderr.write(`${l}\n`)))(`warning: ${line}`);
  };
  const classes = data.classes.length;

  // 0. Refuse what cannot give a meaningful result, before any work and before --out is touched.
  if (data.train.count === 0 || data.val.count === 0) throw new Error(`${data.source}: the ${data.train.count === 0 ? 'training' : 'validation'} set is empty`);
  if (classes < 2) throw new Error(`${data.source}: ${classes} class; classification needs at least 2`);
  const calibImages = Math.min(data.train.count, o.numCalibBatch * o.batchSizeTrain);
  if (o.numCalibBatch > 0 && o.numCalibBatch * o.batchSizeTrain > data.train.count) {
    const most = Math.ceil(data.train.count / o.batchSizeTrain);
    throw new UsageError(
      `--num-calib-batch ${o.numCalibBatch} x --batch-size-train ${o.batchSizeTrain} needs ${formatCount(o.numCalibBatch * o.batchSizeTrain)} training images, ` +
        `${data.source} has ${formatCount(data.train.count)}; use --num-calib-batch ${most} or less`,
    );
  }
  checkJsonPath(o.json);
  const first = o.calibrators[0] ?? 'max';
  manualSeed(o.seed);
  const model = buildQuantModel(models, o.model, classes, first, o.disablePcq);
  const keep: Module[] = [model];
  try {
    let weights: StateDict | null = null;
    if (o.weights) {
      weights = readWeights(o.weights);
      checkFiniteWeights(weights, o.weights);
      loadWeightsInto(model, weights, o.weights, o.model);
    }
    await prepareOutDir(o.out, plannedOutputs(o, calibImages), isOutputName, OUTPUT_RECORD);
    const save = async (name: string, bytes: string | Uint8Array): Promise<string> => {
      await writeFileAtomic(join(o.out, name), bytes);
      return name;
    };
    const all = [...quantizers(model).values()];

    // 1. Float: every quantizer disabled (the quant layers then compute the float ops).
    const floatHistory: EpochRecord[] = [];
    let floatTiming: Summary['timing']['float'] = null;
    const shuffler = new EpochShuffler(o.seed, data.train.count);
    const floatAccuracy = await withDisabled(all, async () => {
      if (o.trainEpochs > 0) {
        const optimizer = new MomentumSGD(o.lr, MOMENTUM);
        const steps = Math.ceil(data.train.count / o.batchSizeTrain);
        const rates: number[] = [];
        try {
          for (let epoch = 1; epoch <= o.trainEpochs; epoch++) {
            const base = (epoch - 1) * steps;
            const r = await trainEpoch(model, data.train, {
              batchSize: o.batchSizeTrain, optimizer, shuffler, label: `float epoch ${epoch}/${o.trainEpochs}`,
              lrAt: (s) => warmupCosineLr(o.lr, 0, base + s, o.trainEpochs * steps, Math.min(WARMUP_STEPS, o.trainEpochs * steps)),
            }, ctx);
            const accuracy = await evaluate(model, data.val, o.batchSizeTest, classes, `  evaluate float epoch ${epoch}`, ctx);
            floatHistory.push({ epoch, trainLoss: r.meanLoss, testAccuracy: accuracy });
            rates.push(r.samplesPerSec);
            if (r.meanLoss > 2 * Math.log(classes)) {
              warn(`float epoch ${epoch}: mean training loss ${r.meanLoss.toPrecision(3)} is above twice that of guessing among ${classes} classes: training diverged; try a smaller --lr`);
            }
          }
        } finally {
          optimizer.dispose();
        }
        floatTiming = { trainSamplesPerSec: rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : 0, epochSamplesPerSec: rates };
        return floatHistory.at(-1)!.testAccuracy;
      }
      return evaluate(model, data.val, o.batchSizeTest, classes, 'evaluate float', ctx);
    });
    const float = floatState(model.stateDict());
    const floatFile = await save(`${o.model}-float.safetensors`, encodeSafetensors(float));
    log(`float: val accuracy ${(floatAccuracy * 100).toFixed(2)}%`);

    // 2. PTQ, one model per calibrator (a quantizer's calibrator is fixed when it is built).
    const ptq: Record<string, PtqResult> = {};
    let best: { method: string; model: Module; accuracy: number } | null = null;
    let histograms: CalibHistogram[] = [];
    const calibOrder = new EpochShuffler(o.seed + 1, data.train.count).nextEpoch();
    for (const calibrator of o.numCalibBatch > 0 ? o.calibrators : []) {
      const m = calibrator === first ? model : buildQuantModel(models, o.model, classes, calibrator, o.disablePcq);
      if (m !== model) {
        keep.push(m);
        m.loadStateDict(float);
      }
      await collectStats(m, data.train, o.numCalibBatch, o.batchSizeTrain, calibOrder, ctx);
      if (calibrator === 'histogram') histograms = histogramsOf(m);
      for (const method of ptqMethods({ calibrators: [calibrator as Calibrator], percentiles: o.percentiles })) {
        loadMethod(m, method);
        const accuracy = await evaluate(m, data.val, o.batchSizeTest, classes, `evaluate PTQ ${method}`, ctx);
        const state = m.stateDict();
        const file = await save(`${o.model}-${method}-${calibImages}.safetensors`, encodeSafetensors(state));
        ptq[method] = { calibrator, accuracy, amax: perTensorAmax(state), file };
        if (best === null || accuracy > best.accuracy) best = { method, model: m, accuracy };
      }
    }
    if (best) {
      loadMethod(best.model, best.method); // back to the kept amax
      log(`PTQ: kept ${best.method} (val accuracy ${(best.accuracy * 100).toFixed(2)}%)`);
    }

    // 2b. ModelOpt-style presets (--quant-config), each on a float copy, on the same calibration images.
    const quantConfigs = o.numCalibBatch > 0 && o.quantConfigs.length > 0
      ? await runPresetStep({
        model: o.model, configs: o.quantConfigs, floatModels: deps.floatModels ?? FLOAT_MODELS, float, classes, train: data.train, val: data.val,
        order: calibOrder, images: calibImages, batchSize: o.batchSizeTrain, batchSizeTest: o.batchSizeTest, evaluateOnnx: o.evaluateOnnx, save, log,
      }, ctx)
      : null;

    // 3. Sensitivity profile of the kept model.
    let sensitivity: SensitivityRow[] | null = null;
    if (best && o.sensitivity) {
      const kept = best.model;
      sensitivity = [];
      const layers = quantLayers(kept);
      for (const [i, layer] of layers.entries()) {
        const accuracy = await withDisabled(layer.quantizers, () =>
          evaluate(kept, data.val, o.batchSizeTest, classes, `sensitivity ${i + 1}/${layers.length} ${layer.name}`, ctx));
        sensitivity.push({ layer: layer.name, quantizers: layer.quantizers.length, accuracy });
      }
      // Most sensitive first: the layer whose quantization costs most; model order on ties.
      sensitivity = sensitivity.map((r, i) => ({ r, i })).sort((a, b) => b.r.accuracy - a.r.accuracy || a.i - b.i).map(({ r }) => r);
    }

    // 4. Fine-tune (QAT) the kept model: plain SGD, cosine-annealed per epoch, amax fixed.
    let finetune: Summary['finetune'] = null;
    let finetuneTiming: Summary['timing']['finetune'] = null;
    if (best && o.numFinetuneEpochs > 0) {
      const kept = best.model;
      const optimizer = tf.train.sgd(o.finetuneLr);
      const history: EpochRecord[] = [];
      const rates: number[] = [];
      try {
        for (let epoch = 1; epoch <= o.numFinetuneEpochs; epoch++) {
          const lr = cosineLr(o.finetuneLr, 0, epoch - 1, o.numFinetuneEpochs);
          const r = await trainEpoch(kept, data.train, { batchSize: o.batchSizeTrain, optimizer, shuffler, label: `QAT epoch ${epoch}/${o.numFinetuneEpochs}`, lrAt: () => lr }, ctx);
          const accuracy = await evaluate(kept, data.val, o.batchSizeTest, classes, `  evaluate QAT epoch ${epoch}`, ctx);
          history.push({ epoch, trainLoss: r.meanLoss, testAccuracy: accuracy });
          rates.push(r.samplesPerSec);
        }
      } finally {
        optimizer.dispose();
      }
      finetuneTiming = { trainSamplesPerSec: rates.reduce((a, b) => a + b, 0) / rates.length, epochSamplesPerSec: rates };
      const file = await save(`${o.model}-finetuned.safetensors`, encodeSafetensors(kept.stateDict()));
      finetune = { from: best.method, accuracy: history.at(-1)!.testAccuracy, history, file };
    }

    // 5. ONNX export of the final model and its evaluation in ONNX Runtime.
    let onnx: Summary['onnx'] = null;
    if (best && o.evaluateOnnx) {
      const kept = best.model;
      const bytes = exportModel(kept, data.val);
      const file = await save(`${o.model}.onnx`, bytes);
      const check = await checkOnnx(kept, bytes, data.val, o.batchSizeTest, classes);
      onnx = { file, ...check };
      log(`ONNX Runtime: val accuracy ${(check.accuracy * 100).toFixed(2)}%`);
    }

    // 6. Summary, report, tables.
    const summary: Summary = {
      model: o.model,
      data: { source: data.source, classes, train: data.train.count, val: data.val.count, imageSize: data.imageSize },
      float: { accuracy: floatAccuracy, history: floatHistory, ...(o.weights ? { weights: o.weights } : {}), file: floatFile },
      calibration: o.numCalibBatch > 0 ? { images: calibImages, batches: o.numCalibBatch } : null,
      ptq,
      best: best?.method ?? null,
      quantConfigs,
      sensitivity,
      finetune,
      onnx,
      warnings,
      timing: { float: floatTiming, finetune: finetuneTiming, wallSeconds: 0, cpuSeconds: 0 },
    };
    const cpu = process.cpuUsage(cpuStart);
    summary.timing.wallSeconds = Math.round((now() - started) / 100) / 10;
    summary.timing.cpuSeconds = Math.round((cpu.user + cpu.system) / 1e5) / 10;
    await save('summary.json', summaryJson(summary));
    await save('report.html', await renderReport({ summary, histograms, ...(deps.command ? { command: deps.command } : {}) }));
    if (o.json) await writeFileAtomic(o.json, summaryJson(summary));
    if (!o.quiet) deps.out.write(`\n${formatSummaryTables(summary)}outputs in ${o.out}\n`);
    return summary;
  } finally {
    for (const m of keep) m.dispose();
  }
}
