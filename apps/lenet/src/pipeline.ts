// The demo's flow, independent of how the model is built: float training, PTQ with each
// calibration method, QAT from one of them, ONNX export and check, outputs and report.
import { join } from 'node:path';
import { EpochShuffler, ProgressBar, type ProgressOutput, progressMode } from '@pq/app-kit';
import { checkFiniteWeights, checkJsonPath, prepareOutDir, writeFileAtomic } from '@pq/app-kit/node';
import type { CalibHistogram } from '@pq/app-kit/report';
import { CALIB_METHODS, type CalibMethod, type LenetOptions } from './args.js';
import { CALIB_BATCH, type MnistData, type Split, batchesInOrder, calibrationIndices, gather } from './data/dataset.js';
import { accuracy } from './evaluate.js';
import { type ModelFactory, type QuantModel, type TrainableModel, amaxOf } from './model.js';
import { checkData } from './preflight.js';
import { renderReport } from './report/html.js';
import { qatLr } from './schedule.js';
import { type EpochRecord, type PhaseTiming, type PtqResult, type Summary, formatSummaryTable, summaryJson } from './summary.js';

export const OUTPUT_FILES = {
  float: 'lenet-float.safetensors',
  ptq: (method: CalibMethod) => `lenet-ptq-${method}.safetensors`,
  qat: 'lenet-qat.safetensors',
  onnx: 'lenet-qat.onnx',
  summary: 'summary.json',
  report: 'report.html',
} as const;

/** Every file name a run can write in --out. */
/** lenet-outputs.json: the files a run wrote, read by the next run into the same --out. */
export const OUTPUT_RECORD = { file: 'lenet-outputs.json', writer: 'pq-lenet' } as const;

export const ALL_OUTPUT_FILES: readonly string[] = [
  OUTPUT_FILES.float, ...CALIB_METHODS.map(OUTPUT_FILES.ptq), OUTPUT_FILES.qat, OUTPUT_FILES.onnx, OUTPUT_FILES.summary, OUTPUT_FILES.report,
];

/** The files a run with these options writes in --out. */
export function plannedOutputs(o: Pick<LenetOptions, 'methods' | 'qatEpochs'>, withOnnx: boolean): string[] {
  const qat = o.qatEpochs > 0 ? [OUTPUT_FILES.qat, ...(withOnnx ? [OUTPUT_FILES.onnx] : [])] : [];
  return [OUTPUT_FILES.float, ...o.methods.map(OUTPUT_FILES.ptq), ...qat, OUTPUT_FILES.summary, OUTPUT_FILES.report];
}

/**
 * An epoch whose mean loss is above twice that of guessing uniformly among the 10 digits
 * (2 ln 10 = 4.6) has diverged: a fresh LeNet starts near ln 10 and only goes down from there.
 */
export const DIVERGED_LOSS = 2 * Math.log(10);
export type PipelineOptions = Pick<
  LenetOptions,
  'epochs' | 'batchSize' | 'lr' | 'seed' | 'methods' | 'qatFrom' | 'qatEpochs' | 'calibEvery' | 'weights' | 'out' | 'json' | 'quiet'
>;

export interface PipelineDeps {
  models: ModelFactory;
  data: MnistData;
  /** Where progress bars and the table go (process.stdout in the CLI). */
  out: ProgressOutput;
  /** Compares an exported model with pq's forward; omit to skip the ONNX step. */
  checkOnnx?: (bytes: Uint8Array, predict: (b: Split) => Float32Array, test: Split) => Promise<{ maxAbsDiff: number; differingImages: number; argmaxAgreement: number }>;
  /** Shown in report.html. */
  command?: string;
  /** Milliseconds clock for throughput (injectable for tests). */
  now?: () => number;
  /** Where warnings go, even with --quiet (default stderr); they are also kept in the summary. */
  warn?: (line: string) => void;
}

export interface PipelineResult {
  summary: Summary;
  /** Absolute or --out-relative paths of every file written. */
  files: string[];
}

/**
 * Lets pending events run: training is synchronous, and without this a Ctrl-C (whose handler
 * removes unfinished files and exits) would wait for the end of the phase.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Trains `model` for `epochs` epochs with the shuffler's order; returns the per-epoch history. */
async function trainEpochs(
  model: TrainableModel,
  phase: string,
  epochs: number,
  lrAt: (step: number, totalSteps: number) => number,
  shuffler: EpochShuffler,
  o: PipelineOptions,
  deps: PipelineDeps,
  warn: (line: string) => void,
): Promise<{ history: EpochRecord[]; timing: PhaseTiming }> {
  const { train, test } = deps.data;
  const now = deps.now ?? (() => performance.now());
  const stepsPerEpoch = Math.ceil(train.count / o.batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  const history: EpochRecord[] = [];
  const epochSamplesPerSec: number[] = [];
  let trainMs = 0;
  let step = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = shuffler.nextEpoch();
    const bar = new ProgressBar({ label: `${phase} epoch ${epoch}/${epochs}`, total: train.count, out: deps.out, mode: progressMode(deps.out, o.quiet), now });
    const t0 = now();
    for (let start = 0; start < train.count; start += o.batchSize) {
      const batch = gather(train, order.subarray(start, Math.min(train.count, start + o.batchSize)));
      const loss = model.trainStep(batch, lrAt(step++, totalSteps));
      if (!Number.isFinite(loss)) throw new Error(`${phase} epoch ${epoch}: the loss became ${loss}; try a smaller --lr`);
      bar.tick(batch.count, loss);
      await yieldToEventLoop();
    }
    const ms = now() - t0;
    trainMs += ms;
    const testAccuracy = accuracy((b) => model.predict(b), test);
    bar.finish(`test accuracy ${(testAccuracy * 100).toFixed(2)}%`);
    history.push({ epoch, trainLoss: bar.meanLoss, testAccuracy });
    epochSamplesPerSec.push(ms > 0 ? (train.count * 1000) / ms : 0);
    if (bar.meanLoss > DIVERGED_LOSS) {
      warn(
        `${phase} epoch ${epoch}: mean training loss ${bar.meanLoss.toPrecision(3)} is above ${DIVERGED_LOSS.toFixed(2)} ` +
          `(twice that of guessing among 10 digits): training diverged (test accuracy ${(testAccuracy * 100).toFixed(2)}%); try a smaller --lr`,
      );
    }
  }
  return { history, timing: { trainSamplesPerSec: trainMs > 0 ? (epochs * train.count * 1000) / trainMs : 0, epochSamplesPerSec } };
}

export async function runPipeline(o: PipelineOptions, deps: PipelineDeps): Promise<PipelineResult> {
  const { models, data } = deps;
  // 0. before any training, and before --out is touched: what cannot give a meaningful result stops here.
  checkData(data, o.calibEvery);
  checkJsonPath(o.json);
  const weights = o.weights ? models.loadWeights(o.weights) : null;
  if (weights && o.weights) checkFiniteWeights(weights, o.weights);
  await prepareOutDir(o.out, plannedOutputs(o, deps.checkOnnx !== undefined), ALL_OUTPUT_FILES, OUTPUT_RECORD);
  const warnings: string[] = [];
  const warn = (line: string): void => {
    warnings.push(line);
    (deps.warn ?? ((l) => process.stderr.write(`${l}\n`)))(`warning: ${line}`);
  };
  const files: string[] = [];
  const save = async (name: string, bytes: string | Uint8Array): Promise<void> => {
    const path = join(o.out, name);
    await writeFileAtomic(path, bytes);
    files.push(path);
  };
  const log = (line: string): void => {
    if (!o.quiet) deps.out.write(`${line}\n`);
  };
  const shuffler = new EpochShuffler(o.seed, data.train.count);

  // 1. float training (or the given weights).
  const float = models.createFloat(o.seed, weights);
  const floatRun = await trainEpochs(float, 'float', o.epochs, () => o.lr, shuffler, o, deps, warn);
  const floatAccuracy = floatRun.history.at(-1)?.testAccuracy ?? accuracy((b) => float.predict(b), data.test);
  const floatState = float.stateDict();
  float.dispose();
  await save(OUTPUT_FILES.float, models.encodeSafetensors(floatState));
  log(`float: test accuracy ${(floatAccuracy * 100).toFixed(2)}%`);

  // 2. PTQ: calibrate input quantizers on every calibEvery-th training sample, in order.
  const calib = gather(data.train, calibrationIndices(data.train.count, o.calibEvery));
  const ptq: Partial<Record<CalibMethod, PtqResult>> = {};
  const histogramMethods = o.methods.filter((m) => m !== 'max');
  let histograms: CalibHistogram[] = [];
  let qatModel: QuantModel | null = null;
  const evaluatePtq = async (model: QuantModel, method: CalibMethod): Promise<void> => {
    model.finishCalibration(method);
    const state = model.stateDict();
    ptq[method] = { accuracy: accuracy((b) => model.predict(b), data.test), amax: amaxOf(state) };
    await save(OUTPUT_FILES.ptq(method), models.encodeSafetensors(state));
    log(`PTQ ${method}: test accuracy ${(ptq[method]!.accuracy * 100).toFixed(2)}%`);
  };
  if (o.methods.includes('max')) {
    const model = models.createQuant(floatState, 'max', o.seed);
    model.collect(batchesInOrder(calib, CALIB_BATCH));
    await evaluatePtq(model, 'max');
    if (o.qatEpochs > 0 && o.qatFrom === 'max') qatModel = model;
    else model.dispose();
  }
  if (histogramMethods.length > 0) {
    const model = models.createQuant(floatState, 'histogram', o.seed);
    model.collect(batchesInOrder(calib, CALIB_BATCH));
    histograms = model.histograms();
    for (const method of histogramMethods) await evaluatePtq(model, method);
    if (o.qatEpochs > 0 && o.qatFrom !== 'max') {
      model.finishCalibration(o.qatFrom); // back to the amax QAT starts from
      qatModel = model;
    } else model.dispose();
  }
  // Keep the methods in the order the user listed them.
  const ptqOrdered: Partial<Record<CalibMethod, PtqResult>> = {};
  for (const m of o.methods) ptqOrdered[m] = ptq[m]!;

  // 3. QAT: fine-tune the chosen calibrated model; 4. export it to ONNX and check it.
  let qat: Summary['qat'] = null;
  let onnx: Summary['onnx'] = null;
  let qatTiming: PhaseTiming | null = null;
  if (qatModel) {
    const model = qatModel;
    const run = await trainEpochs(model, 'QAT', o.qatEpochs, (s, total) => qatLr(o.lr, s, total), shuffler, o, deps, warn);
    qat = { from: o.qatFrom, accuracy: run.history.at(-1)!.testAccuracy, history: run.history };
    qatTiming = run.timing;
    await save(OUTPUT_FILES.qat, models.encodeSafetensors(model.stateDict()));
    if (deps.checkOnnx) {
      const bytes = model.exportOnnx(gather(data.test, [0]));
      await save(OUTPUT_FILES.onnx, bytes);
      const check = await deps.checkOnnx(bytes, (b) => model.predict(b), data.test);
      onnx = { file: OUTPUT_FILES.onnx, ...check };
    }
    model.dispose();
  }

  // 5. summary, report, table.
  const summary: Summary = {
    data: { source: data.source, train: data.train.count, test: data.test.count },
    float: {
      accuracy: floatAccuracy,
      history: floatRun.history,
      ...(o.weights ? { weights: o.weights } : {}),
    },
    ptq: ptqOrdered,
    qat,
    onnx,
    warnings,
    timing: { float: o.epochs > 0 ? floatRun.timing : null, qat: qatTiming },
  };
  await save(OUTPUT_FILES.summary, summaryJson(summary));
  await save(OUTPUT_FILES.report, await renderReport({ summary, histograms, ...(deps.command ? { command: deps.command } : {}) }));
  if (o.json) {
    await writeFileAtomic(o.json, summaryJson(summary));
    files.push(o.json);
  }
  if (!o.quiet) deps.out.write(`\n${formatSummaryTable(summary)}outputs in ${o.out}\n`);
  return { summary, files };
}
