// `pnpm bench` in @pq/nn: LeNet training speed (batch 64, forward + NLL + backward + SGD with
// momentum) on tfjs's stock cpu backend and on pq's accelerated path, float and fake-quantized
// (static amax after calibration, dynamic amax), in one run; inference (eval forward, batch
// 500); memory over many steps; and, where Debian's python3-torch is installed, the same step in
// PyTorch. Timings are medians of per-step times after a warm-up.
// Options: --steps N (timed accelerated steps, default 100), --memory-steps N (default 1000),
// --stock-steps N (timed stock-cpu steps, default 2), --no-torch.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { disableAcceleration, enableAcceleration, registerTfjsGradients } from '../src/accel/index.js';
import { calibrate, dispose, forward, makeLeNet, trainStep, type ForwardOptions, type LeNet, type QuantMode } from './lenet.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const STEPS = arg('steps', 100);
const MEMORY_STEPS = arg('memory-steps', 1000);
const STOCK_STEPS = arg('stock-steps', 2);
const BATCH = 64;
const EVAL_BATCH = 500;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeEach(fn: () => void, warmup: number, runs: number): number {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

interface Data {
  x: tf.Tensor;
  labels: tf.Tensor;
  xEval: tf.Tensor;
}

function makeData(): Data {
  return {
    x: tf.randomNormal([BATCH, 1, 28, 28], 0, 1, 'float32', 1),
    labels: tf.randomUniform([BATCH], 0, 10, 'int32', 2),
    xEval: tf.randomNormal([EVAL_BATCH, 1, 28, 28], 0, 1, 'float32', 3),
  };
}

/** samples/s of the training step and of eval inference for one configuration. */
function measure(net: LeNet, d: Data, o: ForwardOptions, warmup: number, runs: number, evalRuns: number): { train: number; infer: number } {
  const opt = tf.train.momentum(0.01, 0.9);
  const trainMs = timeEach(() => trainStep(net, opt, d.x, d.labels, o), warmup, runs);
  opt.dispose();
  const inferMs = timeEach(() => tf.tidy(() => forward(net, d.xEval, o).dataSync()), 1, evalRuns);
  return { train: (BATCH * 1000) / trainMs, infer: (EVAL_BATCH * 1000) / inferMs };
}

interface Row {
  mode: QuantMode;
  stock: { train: number; infer: number };
  fast: { train: number; infer: number };
  fastTfOps: number;
}

async function stockRun(d: Data, modes: QuantMode[]): Promise<Record<string, { train: number; infer: number }>> {
  disableAcceleration();
  await registerTfjsGradients();
  await tf.setBackend('cpu');
  const out: Record<string, { train: number; infer: number }> = {};
  for (const mode of modes) {
    const net = makeLeNet();
    calibrate(net, [d.x]);
    out[mode] = measure(net, d, { quant: mode, impl: 'tfops' }, 1, STOCK_STEPS, mode === 'float' ? 2 : 1);
    dispose(net);
    console.log(`  stock cpu ${mode}: ${out[mode]!.train.toFixed(1)} samples/s training`);
  }
  return out;
}

/** numTensors and heap every `every` steps of accelerated static-quant training. */
function memoryRun(d: Data, steps: number): { numTensors: number[]; heapMB: number[]; wasmMB: number[]; ms: number } {
  const net = makeLeNet();
  calibrate(net, [d.x]);
  const opt = tf.train.momentum(0.01, 0.9);
  const o: ForwardOptions = { quant: 'static', impl: 'fused' };
  const every = Math.max(1, Math.floor(steps / 10));
  const res = { numTensors: [] as number[], heapMB: [] as number[], wasmMB: [] as number[], ms: 0 };
  const t0 = performance.now();
  for (let i = 1; i <= steps; i++) {
    trainStep(net, opt, d.x, d.labels, o);
    if (i % every === 0 || i === 1) {
      res.numTensors.push(tf.memory().numTensors);
      res.heapMB.push(process.memoryUsage().heapUsed / 2 ** 20);
      res.wasmMB.push((tf.memory() as { numBytesInWASM?: number }).numBytesInWASM ?? 0 / 2 ** 20);
    }
  }
  res.ms = performance.now() - t0;
  res.wasmMB = res.wasmMB.map((b) => b / 2 ** 20);
  opt.dispose();
  dispose(net);
  return res;
}

function torchRun(): Record<string, number | string> | null {
  if (process.argv.includes('--no-torch')) return null;
  const script = fileURLToPath(new URL('./lenet_torch.py', import.meta.url));
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
      const out = execFileSync(python, [script, String(Math.max(STEPS, 50)), '20'], { encoding: 'utf8' });
      return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number | string>;
    } catch {
      continue;
    }
  }
  return null;
}

const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

async function main(): Promise<void> {
  console.log(`LeNet training, batch ${BATCH}; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}`);
  const modes: QuantMode[] = ['float', 'static', 'dynamic'];
  await registerTfjsGradients();
  await tf.setBackend('cpu');
  const d = makeData();

  console.log('stock tfjs cpu backend (fake quant as tfjs ops):');
  const stock = await stockRun(d, modes);

  const state = await enableAcceleration();
  console.log(`accelerated: backend ${state.backend}, pq kernels ${state.kernels.join(', ')}`);
  const rows: Row[] = [];
  for (const mode of modes) {
    const net = makeLeNet();
    calibrate(net, [d.x]);
    const fast = measure(net, d, { quant: mode, impl: 'fused' }, 10, STEPS, 20);
    const fastTfOps = mode === 'float' ? fast.train : measure(net, d, { quant: mode, impl: 'tfops' }, 5, Math.ceil(STEPS / 2), 2).train;
    dispose(net);
    rows.push({ mode, stock: stock[mode]!, fast, fastTfOps });
    console.log(`  accelerated ${mode}: ${fmt(fast.train)} samples/s training, ${fmt(fast.infer)} inference`);
  }

  console.log(`memory: ${MEMORY_STEPS} accelerated static-quant steps...`);
  const mem = memoryRun(d, MEMORY_STEPS);

  console.log('pytorch (same step, fake quant as torch ops)...');
  const torch = torchRun();
  disableAcceleration();

  const float = rows[0]!.fast.train;
  console.log('\n| LeNet, batch 64 | stock tfjs cpu | pq accelerated | ratio | quantized/float step time | fake quant as tfjs ops (accelerated) |' + (torch ? ' PyTorch | ours/torch |' : ''));
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |' + (torch ? ' ---: | ---: |' : ''));
  for (const r of rows) {
    const t = torch ? (torch[`train_${r.mode}`] as number) : 0;
    console.log(
      `| train ${r.mode} (samples/s) | ${fmt(r.stock.train)} | ${fmt(r.fast.train)} | ${fmt(r.fast.train / r.stock.train)}x | ` +
        `${(float / r.fast.train).toFixed(2)}x | ${fmt(r.fastTfOps)} |` + (torch ? ` ${fmt(t)} | ${(r.fast.train / t).toFixed(2)} |` : ''),
    );
  }
  for (const r of rows.slice(0, 2)) {
    const t = torch ? (torch[`infer_${r.mode}`] as number) : 0;
    console.log(
      `| inference ${r.mode}, batch 500 (samples/s) | ${fmt(r.stock.infer)} | ${fmt(r.fast.infer)} | ${fmt(r.fast.infer / r.stock.infer)}x | | |` +
        (torch ? ` ${fmt(t)} | ${(r.fast.infer / t).toFixed(2)} |` : ''),
    );
  }
  console.log(
    `\nmemory over ${MEMORY_STEPS} steps (${fmt((MEMORY_STEPS * BATCH * 1000) / mem.ms)} samples/s overall): ` +
      `numTensors ${mem.numTensors.join(' ')}; JS heap MB ${mem.heapMB.map((v) => v.toFixed(1)).join(' ')}; ` +
      `wasm tensor MB ${mem.wasmMB.map((v) => v.toFixed(1)).join(' ')}`,
  );
  if (torch) console.log(`pytorch ${torch['torch']}, ${torch['threads']} thread(s)`);
  else console.log('pytorch: not available (apt-get install python3-torch to compare)');
  tf.dispose([d.x, d.labels, d.xEval]);
}

await main();
