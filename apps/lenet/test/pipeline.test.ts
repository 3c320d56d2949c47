import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/args.js';
import { type MnistData, gather, head, loadMnistPackage } from '../src/data/index.js';
import { runPipeline } from '../src/pipeline.js';
import { withoutTimings } from '../src/summary.js';
import { tinyModels } from './tinyModel.js';

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
    expect(readdirSync(out).sort()).toEqual(
      ['lenet-float.safetensors', 'lenet-ptq-max.safetensors', 'lenet-ptq-percentile.safetensors', 'lenet-qat.safetensors', 'only-summary.json', 'report.html', 'summary.json'],
    );
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

  it('gives the same summary for the same seed, another for another seed', async () => {
    const small = { ...data, train: head(data.train, 300) };
    const run = async (seed: number) =>
      withoutTimings((await runPipeline({ ...options(mkdtempSync(join(tmpdir(), 'lenet-pipe-'))), seed }, { models: tinyModels, data: small, out: sink })).summary);
    const a = await run(3);
    expect(await run(3)).toEqual(a);
    expect(await run(4)).not.toEqual(a);
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
