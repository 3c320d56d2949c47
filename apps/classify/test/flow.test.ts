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
import { createModel } from '@pq/vision';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/args.js';
import { type ClassifyData, embeddedDigits, limitData, normalisation } from '../src/data/index.js';
import { type FlowOptions, runFlow } from '../src/flow.js';
import { MODELS } from '../src/models.js';
import type { Summary } from '../src/summary.js';
import { floatTinyModels, tinyModels } from './tinyModel.js';

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
  runFlow(o, { data: d, models: tinyModels, floatModels: floatTinyModels, out: sink().out, warn: warn ?? (() => undefined) });

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
    // One training step on 8 images: what is checked is that every stage runs on the real
    // network and that ONNX Runtime agrees with pq, not how well it learns.
    const small = limitData(data, 8, 16, 0);
    const o = options({ model: 'resnet18', trainEpochs: 1, lr: 0.05, numCalibBatch: 1, calibrators: ['max'], evaluateOnnx: true, batchSizeTrain: 8 });
    const s = await runFlow(o, { data: small, models: MODELS, out: sink().out, warn: () => undefined });
    expect(Object.keys(s.ptq.max!.amax).filter((k) => k.includes('residual_quantizer')).length).toBe(8);
    expect(s.onnx!.file).toBe('resnet18.onnx');
    expect(s.onnx!.argmaxAgreement).toBeGreaterThan(0.9);
    expect(existsSync(join(o.out, 'resnet18.onnx'))).toBe(true);
  });
});

describe('--quant-config', () => {
  it('quantizes the float model with every config on the PTQ batches, exports each to ONNX and compares RTN with AWQ at 4 and 3 bits', async () => {
    const o = options({ trainEpochs: 2, numCalibBatch: 1, calibrators: ['max'], quantConfigs: ['int8', 'int8_smoothquant', 'fp8', 'int4_rtn', 'int4_awq', 'w4a8_awq', 'int3_rtn', 'int3_awq'], evaluateOnnx: true });
    const before = tf.memory().numTensors;
    const s = await run(o);
    expect(tf.memory().numTensors).toBe(before);
    const q = s.quantConfigs!;
    expect(q.images).toBe(32);
    expect(Object.keys(q.results)).toEqual(o.quantConfigs);
    expect(Object.values(q.results).map((r) => r.algorithm)).toEqual(['max', 'smoothquant', 'max', 'max', 'awq_lite', 'awq_lite', 'max', 'awq_lite']);
    expect(q.rtnVsAwq.map((c) => [c.bits, c.rtn, c.awq])).toEqual([[4, q.results.int4_rtn!.accuracy, q.results.int4_awq!.accuracy], [3, q.results.int3_rtn!.accuracy, q.results.int3_awq!.accuracy]]);
    for (const [name, r] of Object.entries(q.results)) {
      expect(r.accuracy, name).toBeGreaterThan(0.2);
      expect(r.onnx!.file).toBe(`tiny-${name}.onnx`);
      expect(r.onnx!.argmaxAgreement, name).toBeGreaterThan(0.95);
    }
    // W4A16: weight-only, so ONNX Runtime computes the same float graph (to float rounding).
    expect(q.results.int4_awq!.onnx!.maxAbsDiff).toBeLessThan(1e-4);
    const files = readdirSync(o.out);
    for (const name of o.quantConfigs) expect(files).toEqual(expect.arrayContaining([`tiny-${name}.safetensors`, `tiny-${name}.onnx`]));
    const html = readFileSync(join(o.out, 'report.html'), 'utf8');
    for (const text of ['ModelOpt-style configs', 'Round to nearest against AWQ', 'INT4_AWQ_CFG', '3-bit, blocks of 128']) expect(html).toContain(text);
    const summary = JSON.parse(readFileSync(join(o.out, 'summary.json'), 'utf8')) as Summary;
    expect(summary.quantConfigs).toEqual(JSON.parse(JSON.stringify(q)));
  });
});

describe('vit_tiny end to end', () => {
  it('trains, quantizes with int8 and int4_awq, and the exported W4A16 and INT8 models give pq\'s argmax in ONNX Runtime', async () => {
    // 32x32, as vit_tiny takes: 8 of each digit, 64 train / 16 val.
    const digits32 = embeddedDigits(32, normalisation(null, null), readMnistPackageDigits().map((d) => d.slice(0, 8 * 784)));
    const o = options({ model: 'vit_tiny', trainEpochs: 1, lr: 0.05, numCalibBatch: 1, calibrators: ['max'], quantConfigs: ['int8', 'int4_awq'], evaluateOnnx: true });
    // One encoder block instead of four keeps it quick; the layers are vit_tiny's.
    const vit = (quantize: boolean) => ({ vit_tiny: ({ numClasses }: { numClasses: number }) => createModel('vit_tiny', { numClasses, quantize, numLayers: 1 }) });
    const s = await runFlow(o, { data: digits32, models: vit(true), floatModels: vit(false), out: sink().out, warn: () => undefined });
    for (const name of ['int8', 'int4_awq']) {
      const onnx = s.quantConfigs!.results[name]!.onnx!;
      expect(onnx.file).toBe(`vit_tiny-${name}.onnx`);
      expect(onnx.argmaxAgreement, name).toBe(1);
    }
    expect(s.quantConfigs!.results.int4_awq!.onnx!.maxAbsDiff).toBeLessThan(1e-4);
  });
});
