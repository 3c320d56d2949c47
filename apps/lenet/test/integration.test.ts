// The whole pipeline on @pq/nn's LeNet, on a small slice so it runs in seconds: 1 epoch on
// 1,000 training samples, max and percentile calibration, 1 QAT epoch, ONNX export checked
// in ONNX Runtime, then --weights (JSON) with --epochs 0 reproducing the float model.
import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors, encodeStateJson } from '@pq/nn';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/args.js';
import { setupCompute } from '@pq/app-kit/compute';
import { type MnistData, gather, head, loadMnistPackage } from '../src/data/index.js';
import { nnModels } from '../src/lenet/nnModels.js';
import { checkOnnx } from '../src/onnxCheck.js';
import { runPipeline } from '../src/pipeline.js';
import { withoutTimings } from '@pq/app-kit';

const QUANTIZER_SIZES: Record<string, number> = {
  'conv1._input_quantizer._amax': 1,
  'conv1._weight_quantizer._amax': 10,
  'conv2._input_quantizer._amax': 1,
  'conv2._weight_quantizer._amax': 20,
  'fc1._input_quantizer._amax': 1,
  'fc1._weight_quantizer._amax': 50,
  'fc2._input_quantizer._amax': 1,
  'fc2._weight_quantizer._amax': 10,
};

describe('lenet pipeline on @pq/nn (small slice)', () => {
  let data: MnistData;
  const sink = { isTTY: false, write: () => true };
  const options = (out: string) => ({ ...DEFAULT_OPTIONS, epochs: 1, lr: 0.05, methods: ['max' as const, 'percentile' as const], calibEvery: 4, out, quiet: true });

  beforeAll(async () => {
    await setupCompute('wasm', 'js');
    const d = loadMnistPackage();
    data = {
      source: d.source,
      train: gather(d.train, Int32Array.from({ length: 1000 }, (_, i) => i * 8)),
      test: gather(d.test, Int32Array.from({ length: 500 }, (_, i) => i * 3)),
    };
  });

  it('trains, calibrates, fine-tunes, exports; quantized accuracy tracks float', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lenet-int-'));
    const tensors = tf.memory().numTensors;
    const { summary } = await runPipeline(options(out), { models: nnModels, data, out: sink, checkOnnx });
    // Every model and optimizer the run made is freed.
    expect(tf.memory().numTensors).toBe(tensors);
    expect(readdirSync(out).sort()).toEqual([
      'lenet-float.safetensors', 'lenet-outputs.json', 'lenet-ptq-max.safetensors', 'lenet-ptq-percentile.safetensors', 'lenet-qat.onnx',
      'lenet-qat.safetensors', 'report.html', 'summary.json',
    ]);
    expect(summary.data).toEqual({ source: 'mnist package', train: 1000, test: 500 });
    for (const method of ['max', 'percentile'] as const) {
      const r = summary.ptq[method]!;
      expect(Object.fromEntries(Object.entries(r.amax).map(([k, v]) => [k, v.length]))).toEqual(QUANTIZER_SIZES);
      expect(Math.abs(r.accuracy - summary.float.accuracy)).toBeLessThan(0.03);
    }
    // max calibration of a ReLU-free first layer: conv1's input amax is the largest |pixel| seen.
    expect(summary.ptq.max!.amax['conv1._input_quantizer._amax']![0]).toBeCloseTo((1 - 0.1307) / 0.3081, 5);
    expect(summary.float.accuracy).toBeGreaterThan(0.5);
    expect(summary.qat!.accuracy).toBeGreaterThan(summary.ptq.percentile!.accuracy - 0.03);
    expect(summary.onnx!.argmaxAgreement).toBeGreaterThanOrEqual(0.99);
    expect(summary.onnx!.maxAbsDiff).toBeLessThan(0.1);
  });

  it('is deterministic for a seed, and --weights with --epochs 0 reproduces the float model', async () => {
    const small = { ...data, train: head(data.train, 256) };
    const o = { ...options(''), methods: ['max' as const], qatEpochs: 0 };
    const run = (extra: object) => runPipeline({ ...o, out: mkdtempSync(join(tmpdir(), 'lenet-int-')), ...extra }, { models: nnModels, data: small, out: sink });
    const a = await run({ seed: 5 });
    const b = await run({ seed: 5 });
    expect(withoutTimings(b.summary)).toEqual(withoutTimings(a.summary));

    const dir = mkdtempSync(join(tmpdir(), 'lenet-w-'));
    const weights = join(dir, 'float.json');
    writeFileSync(weights, encodeStateJson(nnModels.loadWeights(a.files.find((f) => f.endsWith('lenet-float.safetensors'))!)));
    const c = await run({ seed: 5, epochs: 0, weights });
    expect(c.summary.float.accuracy).toBe(a.summary.float.accuracy);
    expect(c.summary.timing.float).toBeNull();
    expect(c.summary.ptq.max).toEqual(a.summary.ptq.max);
  });

  it('reads --weights by content, whatever the extension, and names a folder, a missing file or neither format', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lenet-wf-'));
    const dict = { 'fc1.bias': { data: Float32Array.of(0.5, -2), shape: [2] } };
    const expected = [['fc1.bias', [0.5, -2], [2]]];
    const at = (name: string, bytes: string | Uint8Array) => (writeFileSync(join(dir, name), bytes), join(dir, name));
    // A null-prototype dict: compare its entries.
    const load = (file: string) => Object.entries(nnModels.loadWeights(file)).map(([k, t]) => [k, Array.from(t.data), [...t.shape]]);
    expect(load(at('upper.JSON', encodeStateJson(dict)))).toEqual(expected);
    expect(load(at('named.safetensors', `\n ${encodeStateJson(dict)}`))).toEqual(expected);
    expect(load(at('model.bin', encodeSafetensors(dict)))).toEqual(expected);
    expect(load(at('model.json', encodeSafetensors(dict)))).toEqual(expected);
    mkdirSync(join(dir, 'folder'));
    expect(() => nnModels.loadWeights(join(dir, 'folder'))).toThrow(`--weights ${join(dir, 'folder')} is a folder; give a state dict file (.safetensors or .json)`);
    expect(() => nnModels.loadWeights(join(dir, 'none.json'))).toThrow(`--weights ${join(dir, 'none.json')}: no such file`);
    expect(() => nnModels.loadWeights(at('bad.JSON', 'conv1.weight = 3'))).toThrow(`--weights ${join(dir, 'bad.JSON')}: not a JSON state dict (16 bytes;`);
    expect(() => nnModels.loadWeights(at('bad.pt', Uint8Array.of(0x50, 0x4b, 3, 4)))).toThrow(/bad\.pt: not safetensors or a JSON state dict \(4 bytes;/);
    expect(() => nnModels.loadWeights(at('broken.json', '{"fc1.bias": {"shape": [2], "data": [1]}}'))).toThrow(
      /broken\.json \(json\): state JSON: 'fc1\.bias' has 1 values but shape \[2\] needs 2/,
    );
    expect(readFileSync(join(dir, 'upper.JSON'), 'utf8')).toContain('fc1.bias');
  });
});
