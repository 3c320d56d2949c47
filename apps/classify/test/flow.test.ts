// The flow end to end on a small stand-in model and a slice of the embedded digits (a few
// seconds), its outputs and refusals; then the real resnet18 on a tiny slice with ONNX.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { withoutTimings } from '@pq/app-kit';
import { readMnistPackageDigits } from '@pq/app-kit/node';
import { setupCompute } from '@pq/app-kit/compute';
import { encodeSafetensors } from '@pq/nn';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/args.js';
import { type ClassifyData, embeddedDigits, limitData, normalisation } from '../src/data/index.js';
import { type FlowOptions, runFlow } from '../src/flow.js';
import { MODELS } from '../src/models.js';
import type { Summary } from '../src/summary.js';
import { tinyModels } from './tinyModel.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'classify-flow-'));
let data: ClassifyData;

beforeAll(async () => {
  await setupCompute('wasm', 'js');
  // 60 samples of each digit: 480 train / 120 val, at 16x16.
  const digits = readMnistPackageDigits().map((d) => d.slice(0, 60 * 784));
  data = embeddedDigits(16, normalisation(null, null), digits);
});

const sink = () => {
  const chunks: string[] = [];
  return { chunks, out: { isTTY: false, write: (s: string) => chunks.push(s) } };
};

function options(over: Partial<FlowOptions> = {}): FlowOptions {
  return {
    ...DEFAULT_OPTIONS, model: 'tiny', trainEpochs: 3, lr: 0.5, batchSizeTrain: 32, batchSizeTest: 64, numCalibBatch: 2,
    percentiles: [99.9, 99.99], out: tmp(), quiet: true, ...over,
  };
}

const run = (o: FlowOptions, d = data, warn?: (l: string) => void): Promise<Summary> =>
  runFlow(o, { data: d, models: tinyModels, out: sink().out, warn: warn ?? (() => undefined) });

describe('the classification flow', () => {
  let full: Summary;
  let fullOut: string;

  it('trains, calibrates with every method, profiles sensitivity, fine-tunes and writes its outputs', async () => {
    const before = tf.memory().numTensors;
    const o = options({ sensitivity: true, numFinetuneEpochs: 1 });
    fullOut = o.out;
    full = await run(o);
    expect(tf.memory().numTensors).toBe(before);
    expect(full.data).toEqual({ source: 'mnist package', classes: 10, train: 480, val: 120, imageSize: 16 });
    expect(full.float.history.length).toBe(3);
    expect(full.float.accuracy).toBeGreaterThan(0.5);
    expect(Object.keys(full.ptq)).toEqual(['max', 'percentile-99.9', 'percentile-99.99', 'mse', 'entropy']);
    expect(full.calibration).toEqual({ images: 64, batches: 2 });
    const best = Math.max(...Object.values(full.ptq).map((r) => r.accuracy));
    expect(full.ptq[full.best!]!.accuracy).toBe(best);
    expect(Object.keys(full.ptq.max!.amax)).toEqual(['conv1._input_quantizer._amax', 'conv2._input_quantizer._amax', 'residual_quantizer._amax', 'fc._input_quantizer._amax']);
    // Percentile 99.9 clips at or below 99.99, which clips at or below max (the same histogram).
    const a = (m: string) => full.ptq[m]!.amax['conv2._input_quantizer._amax']![0]!;
    expect(a('percentile-99.9')).toBeLessThanOrEqual(a('percentile-99.99'));
    expect(a('percentile-99.99')).toBeLessThanOrEqual(full.ptq.max!.amax['conv2._input_quantizer._amax']![0]! * 1.001);
    expect(full.sensitivity!.map((r) => r.layer).sort()).toEqual(['conv1', 'conv2', 'fc', 'residual_quantizer']);
    expect(full.sensitivity!.find((r) => r.layer === 'conv1')!.quantizers).toBe(2);
    const accs = full.sensitivity!.map((r) => r.accuracy);
    expect(accs).toEqual([...accs].sort((x, y) => y - x));
    expect(full.finetune!.from).toBe(full.best);
    expect(full.finetune!.history.length).toBe(1);
    expect(readdirSync(fullOut).sort()).toEqual([
      'classify-outputs.json', 'report.html', 'summary.json', 'tiny-entropy-64.safetensors', 'tiny-finetuned.safetensors', 'tiny-float.safetensors',
      'tiny-max-64.safetensors', 'tiny-mse-64.safetensors', 'tiny-percentile-99.9-64.safetensors', 'tiny-percentile-99.99-64.safetensors',
    ]);
    const html = readFileSync(join(fullOut, 'report.html'), 'utf8');
    for (const text of ['Sensitivity profile', 'residual_quantizer', 'PTQ percentile-99.99', 'QAT (from', 'amax of each per-tensor quantizer']) expect(html).toContain(text);
    expect(JSON.parse(readFileSync(join(fullOut, 'summary.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(full)));
  });

  it('is deterministic for a seed; --weights with --train-epochs 0 gives the float model back; a second run replaces the first', async () => {
    const o = options({ out: tmp(), numCalibBatch: 1, calibrators: ['max'] });
    const a = await run(o);
    const b = await run({ ...o, out: tmp() });
    expect(withoutTimings(b)).toEqual({ ...withoutTimings(a) });
    const weights = join(o.out, 'tiny-float.safetensors');
    const c = await run({ ...o, out: tmp(), weights, trainEpochs: 0 });
    expect(c.float.accuracy).toBe(a.float.accuracy);
    expect(c.ptq.max!.accuracy).toBe(a.ptq.max!.accuracy);
    // Into the same --out: the earlier run's files it does not write again are removed.
    await run({ ...o, out: fullOut, numCalibBatch: 1, calibrators: ['max'] });
    expect(existsSync(join(fullOut, 'tiny-finetuned.safetensors'))).toBe(false);
    expect(existsSync(join(fullOut, 'tiny-max-32.safetensors'))).toBe(true);
  });

  it('refuses, before any training, what cannot give a result', async () => {
    const out = tmp();
    await expect(run(options({ out, numCalibBatch: 100 }))).rejects.toThrow(
      /--num-calib-batch 100 x --batch-size-train 32 needs 3,200 training images, mnist package has 480; use --num-calib-batch 15 or less/,
    );
    expect(readdirSync(out)).toEqual([]);
    await expect(run(options({ model: 'nope' }))).rejects.toThrow(/unknown model 'nope' \(known: tiny\)/);
    // A checkpoint of another model: the keys that do not fit are named.
    const bad = join(out, 'other.safetensors');
    writeFileSync(bad, encodeSafetensors({ 'conv1.weight': { data: new Float32Array(6 * 3 * 9), shape: [6, 3, 3, 3] }, 'head.weight': { data: new Float32Array(2), shape: [2, 1] } }));
    await expect(run(options({ weights: bad, trainEpochs: 0 }))).rejects.toThrow(
      /--weights .*other\.safetensors does not fit --model tiny: missing bn1\.weight, bn1\.bias, .*; unexpected head\.weight/,
    );
    await expect(run(options({ weights: join(out, 'missing.pth'), trainEpochs: 0 }))).rejects.toThrow(/--weights .*missing\.pth: no such file/);
    writeFileSync(join(out, 'junk.pth'), 'not a checkpoint');
    await expect(run(options({ weights: join(out, 'junk.pth'), trainEpochs: 0 }))).rejects.toThrow(/--weights .*junk\.pth: checkpoint: not a torch\.save zip archive/);
    const empty = limitData(data, 1, 1, 0);
    await expect(run(options({ numCalibBatch: 1 }), { ...empty, val: { ...empty.val, count: 0 } })).rejects.toThrow(/the validation set is empty/);
  });
});

describe('resnet18 end to end', () => {
  it('runs the whole flow on a few digits, exports ONNX and evaluates it in ONNX Runtime', async () => {
    const small = limitData(data, 32, 16, 0);
    const o = options({ model: 'resnet18', trainEpochs: 1, lr: 0.05, numCalibBatch: 1, calibrators: ['max'], evaluateOnnx: true, batchSizeTrain: 32 });
    const s = await runFlow(o, { data: small, models: MODELS, out: sink().out, warn: () => undefined });
    expect(Object.keys(s.ptq.max!.amax).filter((k) => k.includes('residual_quantizer')).length).toBe(8);
    expect(s.onnx!.file).toBe('resnet18.onnx');
    expect(s.onnx!.argmaxAgreement).toBeGreaterThan(0.9);
    expect(existsSync(join(o.out, 'resnet18.onnx'))).toBe(true);
  });
});
