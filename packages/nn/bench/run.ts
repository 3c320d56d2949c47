// `pnpm bench` in @pq/nn: LeNet training speed (batch 64, forward + NLL + backward + SGD with
// momentum) on tfjs's stock cpu backend and on pq's accelerated path, float and fake-quantized
// (static amax after calibration, dynamic amax), in one run; inference (eval forward, batch
// 500); memory over many steps; and, where Debian's python3-torch is installed, the same step in
// PyTorch on 1 and on 2 threads. Both LeNets are measured: one written with raw tfjs ops (stock vs accelerated, the
// same math on both) and one built from @pq/nn modules (what users run; accelerated only, the
// stock cpu backend would take minutes). Timings are medians of per-step times after a warm-up.
// Options: --steps N (timed accelerated steps, default 100), --memory-steps N (default 1000),
// --stock-steps N (timed stock-cpu steps, default 2), --threads N (the accelerated path's wasm
// threads, default 1), --no-torch.
import os from 'node:os';
import { describeAcceleration, runTorchScript, timeMedian } from '@pq/bench-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { disableAcceleration, enableAcceleration, registerTfjsGradients } from '../src/accel/index.js';
import { MomentumSGD } from '../src/momentum_sgd.js';
import { calibrate, dispose, forward, makeLeNet, trainStep, type ForwardOptions, type LeNet, type QuantMode } from './lenet.js';
import { makeNnLeNet, nnTrainStep, type NnLeNet } from './nn_lenet.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const STEPS = arg('steps', 100);
const MEMORY_STEPS = arg('memory-steps', 1000);
const STOCK_STEPS = arg('stock-steps', 2);
const THREADS = arg('threads', 1);
const BATCH = 64;
const EVAL_BATCH = 500;

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
  const opt = new MomentumSGD(0.01, 0.9);
  const trainMs = timeMedian(() => trainStep(net, opt, d.x, d.labels, o), { warmup, runs });
  opt.dispose();
  const inferMs = timeMedian(() => tf.tidy(() => forward(net, d.xEval, o).dataSync()), { warmup: 1, runs: evalRuns });
  return { train: (BATCH * 1000) / trainMs, infer: (EVAL_BATCH * 1000) / inferMs };
}

interface Row {
  mode: QuantMode;
  stock: { train: number; infer: number };
  fast: { train: number; infer: number };
  fastTfOps: number;
  modules: { train: number; infer: number };
}

/** The same numbers for @pq/nn's own modules (QuantConv2d, QuantLinear, F.*). */
function measureModules(mode: QuantMode, d: Data, warmup: number, runs: number, evalRuns: number): { train: number; infer: number } {
  const model = makeNnLeNet(mode, d.x);
  const opt = new MomentumSGD(0.01, 0.9);
  const trainMs = timeMedian(() => nnTrainStep(model, opt, d.x, d.labels), { warmup, runs });
  opt.dispose();
  model.eval();
  const inferMs = timeMedian(() => tf.tidy(() => (model.call(d.xEval) as tf.Tensor).dataSync()), { warmup: 1, runs: evalRuns });
  model.dispose();
  return { train: (BATCH * 1000) / trainMs, infer: (EVAL_BATCH * 1000) / inferMs };
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

/** numTensors and heap every `every` steps of accelerated static-quant training of the @pq/nn LeNet. */
function memoryRun(d: Data, steps: number): { numTensors: number[]; heapMB: number[]; tensorMB: number[]; wasmHeapMB: number[]; ms: number } {
  const model: NnLeNet = makeNnLeNet('static', d.x);
  const opt = new MomentumSGD(0.01, 0.9);
  const every = Math.max(1, Math.floor(steps / 10));
  const res = { numTensors: [] as number[], heapMB: [] as number[], tensorMB: [] as number[], wasmHeapMB: [] as number[], ms: 0 };
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm;
  const t0 = performance.now();
  for (let i = 1; i <= steps; i++) {
    nnTrainStep(model, opt, d.x, d.labels);
    if (i % every === 0 || i === 1) {
      res.numTensors.push(tf.memory().numTensors);
      res.heapMB.push(process.memoryUsage().heapUsed / 2 ** 20);
      res.tensorMB.push(tf.memory().numBytes / 2 ** 20);
      res.wasmHeapMB.push((wasm?.HEAPU8.byteLength ?? 0) / 2 ** 20);
    }
  }
  res.ms = performance.now() - t0;
  opt.dispose();
  model.dispose();
  return res;
}

/** The PyTorch step on 1 and on 2 threads. */
function torchRuns(): Array<Record<string, number | string> | null> {
  return [1, 2].map((threads) => runTorchScript<Record<string, number | string>>(new URL('./lenet_torch.py', import.meta.url), [Math.max(STEPS, 50), 20, threads]));
}

const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

async function main(): Promise<void> {
  console.log(
    `LeNet training, batch ${BATCH}; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, ` +
      `load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`,
  );
  const modes: QuantMode[] = ['float', 'static', 'dynamic'];
  await registerTfjsGradients();
  await tf.setBackend('cpu');
  const d = makeData();

  console.log('stock tfjs cpu backend (fake quant as tfjs ops):');
  const stock = await stockRun(d, modes);

  const state = await enableAcceleration({ threads: THREADS });
  console.log(`accelerated: ${describeAcceleration(state)}; pq kernels ${state.kernels.join(', ')}`);
  const rows: Row[] = [];
  for (const mode of modes) {
    const net = makeLeNet();
    calibrate(net, [d.x]);
    const fast = measure(net, d, { quant: mode, impl: 'op' }, 10, STEPS, 20);
    const fastTfOps = mode === 'float' ? fast.train : measure(net, d, { quant: mode, impl: 'tfops' }, 5, Math.ceil(STEPS / 2), 2).train;
    dispose(net);
    const modules = measureModules(mode, d, 10, STEPS, 20);
    rows.push({ mode, stock: stock[mode]!, fast, fastTfOps, modules });
    console.log(`  accelerated ${mode}: raw ops ${fmt(fast.train)} samples/s training, ${fmt(fast.infer)} inference; ` +
      `@pq/nn modules ${fmt(modules.train)} training, ${fmt(modules.infer)} inference`);
  }

  console.log(`memory: ${MEMORY_STEPS} accelerated static-quant steps of the @pq/nn LeNet...`);
  const mem = memoryRun(d, MEMORY_STEPS);

  console.log('pytorch (same step, fake quant as torch ops)...');
  const torchs = torchRuns();
  const torch = torchs[0] ?? null;
  disableAcceleration();

  const floatRaw = rows[0]!.fast.train;
  const floatModules = rows[0]!.modules.train;
  const torchCols = (v: number, key: string): string => {
    if (!torch) return '';
    return torchs.map((r) => {
      const t = r![key] as number;
      return ` ${fmt(t)} | ${(v / t).toFixed(2)} |`;
    }).join('');
  };
  console.log(
    '\n| LeNet, batch 64, samples/s | stock tfjs cpu (raw ops) | pq accelerated (raw ops) | speed-up | @pq/nn modules, accelerated | quantized/float step time (modules; raw ops) | raw ops, fake quant as tfjs ops |' +
      (torch ? ' PyTorch 1 thread | @pq/nn / torch | PyTorch 2 threads | @pq/nn / torch |' : ''),
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |' + (torch ? ' ---: | ---: | ---: | ---: |' : ''));
  for (const r of rows) {
    console.log(
      `| train ${r.mode} | ${fmt(r.stock.train)} | ${fmt(r.fast.train)} | ${fmt(r.fast.train / r.stock.train)}x | ${fmt(r.modules.train)} | ` +
        `${(floatModules / r.modules.train).toFixed(2)}x; ${(floatRaw / r.fast.train).toFixed(2)}x | ${fmt(r.fastTfOps)} |` +
        torchCols(r.modules.train, `train_${r.mode}`),
    );
  }
  for (const r of rows.slice(0, 2)) {
    console.log(
      `| inference ${r.mode}, batch 500 | ${fmt(r.stock.infer)} | ${fmt(r.fast.infer)} | ${fmt(r.fast.infer / r.stock.infer)}x | ${fmt(r.modules.infer)} | | |` +
        torchCols(r.modules.infer, `infer_${r.mode}`),
    );
  }
  console.log(
    `\nmemory over ${MEMORY_STEPS} steps (${fmt((MEMORY_STEPS * BATCH * 1000) / mem.ms)} samples/s overall): ` +
      `numTensors ${mem.numTensors.join(' ')}; JS heap MB ${mem.heapMB.map((v) => v.toFixed(1)).join(' ')}; ` +
      `tensor MB ${mem.tensorMB.map((v) => v.toFixed(2)).join(' ')}; wasm heap MB ${mem.wasmHeapMB.map((v) => v.toFixed(0)).join(' ')}`,
  );
  console.log(`load average at the end: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  if (torch) console.log(`pytorch ${torch['torch']}, ${torchs.map((r) => r?.['threads']).join(' and ')} thread(s)`);
  else console.log('pytorch: not available (apt-get install python3-torch to compare)');
  tf.dispose([d.x, d.labels, d.xEval]);
}

await main();
