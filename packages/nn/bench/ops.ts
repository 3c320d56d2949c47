// `pnpm bench` in @pq/nn, per op: the layers that dominate the models people quantize, at
// ResNet-18 and MobileNetV2 shapes (32x32 images, batch 32), timed forward and forward +
// backward (the gradients with respect to the input(s) and the layer's parameters, given the
// output's gradient dy, as a layer inside a network gets them) on
// pq's accelerated path on 1 thread and, in a worker process, on 2 (enableAcceleration({ threads })),
// against PyTorch on 1 and on 2 threads (bench/ops_torch.py, where Debian's python3-torch is
// installed), case by case so that both sides of a ratio see the same load on a shared machine. Medians in ms; the runs of a case are
// cut to fit a time budget (at least 3), the same way on both sides. On wasm (synchronous) nothing
// is read back, as PyTorch's half reads nothing.
// Options: --runs N (most runs per case, default 10), --budget MS (time per case, default 1500),
// --only SUBSTRING (cases whose label contains it), --threads N (pq's second column, default 2;
// 1: none), --no-torch.
import os from 'node:os';
import { benchArg, describeAcceleration, forkBenchWorker, median, runTorchScript, serveBenchRequests } from '@pq/bench-utils';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, F, Linear, QuantConv2d, fakeQuant, manualSeed, type Module } from '../src/index.js';
import { enableAcceleration } from '../src/accel/index.js';
import { OP_CASES, type OpCase } from './op_cases.js';

const RUNS = Number(benchArg('runs', '10'));
const BUDGET_MS = Number(benchArg('budget', '1500'));
const ONLY = benchArg('only', '');

interface Built {
  fn: (...xs: tf.Tensor[]) => tf.Tensor;
  inputs: tf.Variable[];
  params: tf.Variable[];
  module?: Module;
  /** Other tensors to dispose afterwards. */
  owned?: tf.Tensor[];
}

function build(c: OpCase): Built {
  const a = c.args ?? {};
  // tidy disposes the initial values (a variable keeps their data, not them).
  const variable = (shape: number[], seed: number): tf.Variable => tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, 1, 'float32', seed)));
  const inputs = [variable(c.shape, 1)];
  const withModule = (m: Module): Built => ({ fn: (x) => m.call(x) as tf.Tensor, inputs, params: m.parameters(), module: m });
  switch (c.op) {
    case 'conv':
      return withModule(new Conv2d(a['cin']!, a['cout']!, a['k']!, { stride: a['stride']!, padding: a['pad']!, groups: a['groups']! }));
    case 'quantconv': {
      const m = new QuantConv2d(a['cin']!, a['cout']!, a['k']!, { stride: a['stride']!, padding: a['pad']!, groups: a['groups']! });
      m._input_quantizer.amax = 3;
      const amax = tf.tidy(() => tf.max(tf.abs(m.weight), [1, 2, 3], true));
      m._weight_quantizer.amax = amax;
      amax.dispose();
      return withModule(m);
    }
    case 'linear':
      return withModule(new Linear(a['cin']!, a['cout']!));
    case 'bn':
      return withModule(new BatchNorm2d(c.shape[1]!));
    case 'matmul':
      inputs.push(variable(c.b!, 2));
      return { fn: (x, y) => F.matmul(x, y!), inputs, params: [] };
    case 'add':
      inputs.push(variable(c.shape, 2));
      return { fn: (x, y) => tf.add(x, y!), inputs, params: [] };
    case 'relu':
      return { fn: (x) => F.relu(x), inputs, params: [] };
    case 'maxpool':
      return { fn: (x) => F.maxPool2d(x, a['k']!, { stride: a['stride']!, padding: a['pad']! }), inputs, params: [] };
    case 'avgpool':
      return { fn: (x) => F.avgPool2d(x, a['k']!, { stride: a['stride']!, padding: a['pad']! }), inputs, params: [] };
    case 'fakequant': {
      const amax = tf.scalar(a['amax']!);
      return { fn: (x) => fakeQuant(x, amax), inputs, params: [], owned: [amax] };
    }
  }
}

/** Median ms of `fn`, after one warm-up, over as many runs (3..RUNS) as fit the budget. */
function timed(fn: () => void): number {
  fn();
  const t0 = performance.now();
  fn();
  const first = performance.now() - t0;
  const n = Math.max(3, Math.min(RUNS, Math.floor(BUDGET_MS / Math.max(first, 1e-3))));
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    fn();
    ts.push(performance.now() - s);
  }
  return median(ts);
}

function measure(c: OpCase): { fwd: number; fwdbwd: number } {
  manualSeed(0);
  const b = build(c);
  const dy = tf.tidy(() => tf.randomNormal(b.fn(...b.inputs).shape, 0, 1, 'float32', 3));
  // wasm and cpu compute an op before it returns, so nothing is read back there (PyTorch's half
  // reads nothing either: a copy out of the heap would add a memcpy to pq's time only).
  const sync = ['wasm', 'cpu'].includes(tf.getBackend());
  const forward = (): void => {
    const y = tf.tidy(() => b.fn(...b.inputs));
    if (!sync) y.dataSync();
    y.dispose();
  };
  const backward = (): void => {
    // Seeded with dy, as PyTorch's y.backward(dy): a loss like sum(y * dy) would time tfjs's
    // Sum gradient (a broadcast of ones) as well.
    const { value, grads } = tf.engine().gradients(() => b.fn(...b.inputs), [...b.inputs, ...b.params], dy);
    if (!sync) for (const g of grads) g.dataSync();
    tf.dispose([value, ...grads]);
  };
  const out = { fwd: timed(forward), fwdbwd: timed(backward) };
  tf.dispose([dy, ...b.inputs, ...(b.owned ?? [])]);
  b.module?.dispose();
  return out;
}

type Times = { fwd: number; fwdbwd: number };
type TorchResult = { torch: string; cases: Record<string, Record<string, Times>> };
const THREADS = Number(benchArg('threads', '2'));
const TORCH_THREADS = [1, THREADS];

/** The worker process: pq on THREADS threads, one case per request. */
async function serve(): Promise<void> {
  await enableAcceleration({ threads: THREADS });
  serveBenchRequests<string, Times>((id) => measure(OP_CASES.find((c) => c.id === id)!));
}

async function main(): Promise<void> {
  const state = await enableAcceleration();
  const cases = OP_CASES.filter((c) => c.label.includes(ONLY));
  console.log(
    `per-op forward and forward + backward, ms (medians, up to ${RUNS} runs or ${BUDGET_MS} ms per case); pq on ${describeAcceleration(state)}; ` +
      `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  const numTensors = tf.memory().numTensors;
  const script = new URL('./ops_torch.py', import.meta.url);
  const worker = THREADS > 1 ? forkBenchWorker<string, Times>(new URL(import.meta.url), ['--worker', '--threads', THREADS, '--runs', RUNS, '--budget', BUDGET_MS]) : null;
  await worker?.ready; // its start-up would share the CPU with the first measurements
  const rows: Array<{ c: OpCase; pq: Times[]; torch: Record<string, Times> | null }> = [];
  let torchVersion: string | null = null;
  for (const c of cases) {
    const pq = [measure(c)];
    if (worker) pq.push(await worker.call(c.id));
    const torch = runTorchScript<TorchResult>(script, [JSON.stringify([c]), [...new Set(TORCH_THREADS)].join(','), RUNS, BUDGET_MS]);
    torchVersion ??= torch?.torch ?? null;
    rows.push({ c, pq, torch: torch?.cases[c.id] ?? null });
    const t1 = torch?.cases[c.id]?.['1'];
    console.log(`  ${c.label}: pq ${pq.map((t) => `${t.fwd.toFixed(2)} / ${t.fwdbwd.toFixed(2)}`).join(', ')} ms` +
      (t1 ? `; PyTorch 1 thread ${t1.fwd.toFixed(2)} / ${t1.fwdbwd.toFixed(2)} ms` : ''));
  }
  worker?.close();
  if (tf.memory().numTensors !== numTensors) throw new Error(`ops bench leaked ${tf.memory().numTensors - numTensors} tensors`);
  const cell = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
  const columns = TORCH_THREADS.slice(0, worker ? 2 : 1);
  console.log('\nratio = PyTorch time / pq time, both on the same number of threads (above 1: pq is faster)');
  console.log(`| op, input | pass |${columns.map((t) => ` pq ${t} thread${t > 1 ? 's' : ''} ms | PyTorch ms | ratio |`).join('')}`);
  console.log(`| --- | --- |${columns.map(() => ' ---: | ---: | ---: |').join('')}`);
  for (const { c, pq, torch } of rows) {
    for (const pass of ['fwd', 'fwdbwd'] as const) {
      const cols = columns.map((t, i) => {
        const mine = pq[i]![pass];
        const theirs = torch?.[String(t)]?.[pass];
        return ` ${cell(mine)} |` + (theirs === undefined ? ' - | - |' : ` ${cell(theirs)} | ${(theirs / mine).toFixed(2)}x |`);
      }).join('');
      console.log(`| ${c.label} | ${pass === 'fwd' ? 'forward' : 'fwd + bwd'} |${cols}`);
    }
  }
  if (torchVersion) console.log(`pytorch ${torchVersion}`);
  else console.log('pytorch: not available (apt-get install python3-torch to compare)');
  console.log(`load average at the end: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
}

if (process.argv.includes('--worker')) await serve();
else await main();
