import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/args.js';
import { type MnistData, gather, head, loadMnistPackage } from '../src/data/index.js';
import type { ModelFactory } from '../src/model.js';
import { runPipeline } from '../src/pipeline.js';
import { withoutTimings } from '@pq/app-kit';
import { tinyModels } from './tinyModel.js';

/** tinyModels, counting the models it creates (none may be created when a run is refused). */
function countingModels(weights: ModelFactory['loadWeights'] = tinyModels.loadWeights): ModelFactory & { created: number } {
  const f = {
    ...tinyModels,
    created: 0,
    loadWeights: weights,
    createFloat: (seed: number, w: Parameters<ModelFactory['createFloat']>[1]) => (f.created++, tinyModels.createFloat(seed, w)),
  };
  return f;
}

// 1,000 training samples spread over all digits, 500 test samples.
function slice(): MnistData {
  const d = loadMnistPackage();
  const every = Math.floor(d.train.count / 1000);
  return { source: d.source, train: gather(d.train, Int32Array.from({ length: 1000 }, (_, i) => i * every)), test: gather(d.test, Int32Array.from({ length: 500 }, (_, i) => i * 3)) };
}

describe('runPipeline (with a small stand-in model)', () => {
  const data = slice();
  const options = (out: string) => ({ ...DEFAULT_OPTIONS, epochs: 1, lr: 0.01, methods: ['max' as const, 'percentile' as const], calibEvery: 4, out, quiet: true });
  const sink = { isTTY: false, write: () => true };

  it('trains, calibrates with each method, fine-tunes and writes every output', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lenet-pipe-'));
    const { summary, files } = await runPipeline({ ...options(out), json: join(out, 'only-summary.json') }, { models: tinyModels, data, out: sink });
    expect(readdirSync(out).sort()).toEqual([
      'lenet-float.safetensors', 'lenet-outputs.json', 'lenet-ptq-max.safetensors', 'lenet-ptq-percentile.safetensors', 'lenet-qat.safetensors',
      'only-summary.json', 'report.html', 'summary.json',
    ]);
    expect(files).toHaveLength(7);
    expect(summary.data).toEqual({ source: 'mnist package', train: 1000, test: 500 });
    expect(Object.keys(summary.ptq)).toEqual(['max', 'percentile']);
    expect(summary.ptq.max!.amax['fc._input_quantizer._amax']).toHaveLength(1);
    expect(summary.float.history).toHaveLength(1);
    expect(summary.qat!.from).toBe('percentile');
    expect(summary.onnx).toBeNull();
    expect(summary.float.accuracy).toBeGreaterThan(0.7);
    for (const r of Object.values(summary.ptq)) expect(Math.abs(r.accuracy - summary.float.accuracy)).toBeLessThan(0.03);
    expect(summary.qat!.accuracy).toBeGreaterThan(summary.ptq.percentile!.accuracy - 0.03);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(summary)));
    expect(readFileSync(join(out, 'only-summary.json'), 'utf8')).toBe(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('fc._input_quantizer');
  });

  it('writes the same summary.json bytes for the same seed up to the timing block, which is last', async () => {
    const small = { ...data, train: head(data.train, 300) };
    const run = async (seed: number, msPerTick: number) => {
      const out = mkdtempSync(join(tmpdir(), 'lenet-pipe-'));
      let t = 0;
      const r = await runPipeline({ ...options(out), seed }, { models: tinyModels, data: small, out: sink, now: () => (t += msPerTick) });
      return { text: readFileSync(join(out, 'summary.json'), 'utf8'), summary: r.summary };
    };
    const a = await run(3, 1);
    const b = await run(3, 2); // the same run on a clock twice as slow
    const [aResult, aTiming] = a.text.split('\n  "timing": ');
    const [bResult, bTiming] = b.text.split('\n  "timing": ');
    expect(bResult).toBe(aResult);
    expect(aResult).not.toMatch(/PerSec/);
    expect(bTiming).not.toBe(aTiming);
    expect(a.summary.timing.float!.epochSamplesPerSec).toHaveLength(1);
    expect(b.summary.timing.float!.trainSamplesPerSec).toBeCloseTo(a.summary.timing.float!.trainSamplesPerSec / 2, 6);
    expect(withoutTimings((await run(4, 1)).summary)).not.toEqual(withoutTimings(a.summary));
  });

  it('refuses, before any training and without touching --out, what cannot give a meaningful result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lenet-pre-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const models = countingModels();
    const refuse = (o: object, d: MnistData = data) => runPipeline({ ...options(join(dir, 'out')), ...o }, { models, data: d, out: sink });
    await expect(refuse({ calibEvery: 100000 })).rejects.toThrow(
      '--calib-every 100000 selects no calibration sample from 1,000 training samples; use --calib-every 1000 or less',
    );
    await expect(refuse({}, { ...data, train: head(data.train, 0) })).rejects.toThrow('mnist package: the training split is empty');
    await expect(refuse({}, { ...data, test: head(data.test, 0) })).rejects.toThrow('mnist package: the test split is empty');
    await expect(refuse({ out: file })).rejects.toThrow(`--out ${file} is a file; give a folder for the outputs`);
    await expect(refuse({ out: join(file, 'sub') })).rejects.toThrow(new RegExp(`^--out ${join(file, 'sub')}: cannot create the folder \\(ENOTDIR`));
    await expect(refuse({ json: dir })).rejects.toThrow(`--json ${dir} is a folder; give a file name`);
    await expect(refuse({ json: join(file, 's.json') })).rejects.toThrow(`--json ${join(file, 's.json')}: ${file} is a file, not a folder`);
    expect(models.created).toBe(0);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('refuses non-finite --weights before training, naming the tensor', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'lenet-pre-')), 'out');
    const trained = (await runPipeline({ ...options(join(out, '..', 'first')), qatEpochs: 0, methods: ['max'] }, { models: tinyModels, data, out: sink })).summary;
    expect(trained.float.accuracy).toBeGreaterThan(0.5);
    const weights = { 'fc.weight': { data: new Float32Array(7840).fill(0.01), shape: [10, 784] }, 'fc.bias': { data: Float32Array.of(0, 0, 0, Infinity, 0, NaN, 0, 0, 0, 0), shape: [10] } };
    const models = countingModels(() => weights);
    await expect(runPipeline({ ...options(out), weights: 'w.safetensors' }, { models, data, out: sink })).rejects.toThrow(
      '--weights w.safetensors: fc.bias has 2 non-finite values of 10 (Infinity at index 3); training and calibration need finite weights',
    );
    expect(models.created).toBe(0);
    expect(existsSync(out)).toBe(false);
  });

  it('warns, even when quiet, when the loss explodes without becoming NaN, and keeps the warning in the summary', async () => {
    const warnings: string[] = [];
    const small = { ...data, train: gather(data.train, Int32Array.from({ length: 200 }, (_, i) => i * 5)) }; // every digit
    const { summary } = await runPipeline({ ...options(mkdtempSync(join(tmpdir(), 'lenet-pipe-'))), lr: 50, qatEpochs: 0, methods: ['max'] }, {
      models: tinyModels, data: small, out: sink, warn: (l) => warnings.push(l),
    });
    expect(Number.isFinite(summary.float.history[0]!.trainLoss)).toBe(true);
    expect(summary.float.history[0]!.trainLoss).toBeGreaterThan(4.61);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: float epoch 1: mean training loss \S+ is above 4\.61 \(twice that of guessing among 10 digits\): training diverged .*try a smaller --lr$/);
    expect(summary.warnings).toEqual([warnings[0]!.slice('warning: '.length)]);
    const calm = await runPipeline({ ...options(mkdtempSync(join(tmpdir(), 'lenet-pipe-'))), qatEpochs: 0, methods: ['max'] }, {
      models: tinyModels, data: small, out: sink, warn: (l) => warnings.push(l),
    });
    expect(calm.summary.warnings).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it('never mixes runs in one --out: the previous run\'s outputs go, files it did not write stay or stop the run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lenet-mix-'));
    const small = { ...data, train: head(data.train, 200) };
    const run = (o: object) => runPipeline({ ...options(out), ...o }, { models: tinyModels, data: small, out: sink });
    await run({});
    expect(readdirSync(out)).toContain('lenet-qat.safetensors');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    mkdirSync(join(out, 'plots'));
    const second = await run({ methods: ['max'], qatEpochs: 0 });
    expect(second.summary.qat).toBeNull();
    expect(readdirSync(out).sort()).toEqual(
      ['lenet-float.safetensors', 'lenet-outputs.json', 'lenet-ptq-max.safetensors', 'notes.txt', 'plots', 'report.html', 'summary.json'],
    );
    expect(JSON.parse(readFileSync(join(out, 'lenet-outputs.json'), 'utf8'))).toEqual({
      writtenBy: 'pq-lenet', files: ['lenet-float.safetensors', 'lenet-ptq-max.safetensors', 'summary.json', 'report.html'],
    });
    // A file under an output name that no run recorded is neither removed nor overwritten.
    writeFileSync(join(out, 'lenet-qat.onnx'), 'not from pq');
    const before = readdirSync(out).sort();
    await expect(run({})).rejects.toThrow(`--out ${out} already holds lenet-qat.onnx, which no earlier run recorded writing (lenet-outputs.json)`);
    expect(readdirSync(out).sort()).toEqual(before);
    expect(readFileSync(join(out, 'lenet-qat.onnx'), 'utf8')).toBe('not from pq');
    writeFileSync(join(out, 'lenet-outputs.json'), '{"files": ["notes.txt"]}');
    await expect(run({})).rejects.toThrow(/lenet-outputs.json is not pq-lenet's record of its outputs/);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('prints progress lines and the table unless quiet', async () => {
    const lines: string[] = [];
    const small = { ...data, train: head(data.train, 200) };
    await runPipeline({ ...options(mkdtempSync(join(tmpdir(), 'lenet-pipe-'))), quiet: false, qatEpochs: 0, methods: ['max'] }, {
      models: tinyModels, data: small, out: { isTTY: false, write: (s: string) => lines.push(s) },
    });
    const text = lines.join('');
    expect(text).toMatch(/float epoch 1\/1 \[#+\] 100%.*test accuracy/);
    expect(text).toMatch(/PTQ max +\d+\.\d\d%/);
    expect(text).not.toMatch(/QAT/);
  });
});
