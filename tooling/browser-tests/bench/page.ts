// The browser bench's page: LeNet training steps on each tfjs backend the page has, and
// @pq/kernels-gpu's fake quant on each gpu.js backend against @pq/core's jsKernels, all in this
// one page. The driver (run.ts) calls globalThis.pqBench's functions and prints the tables.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { median, uniformFloats } from '@pq/bench-utils/browser';
import { jsKernels, ndarray, simdActive, type NDArray } from '@pq/core';
import { createAsyncGpuKernels, createGpuKernels } from '@pq/kernels-gpu';
import { LeNet } from '@pq/lenet-app/browser';
import { F, MomentumSGD, disableAcceleration, enableAcceleration, enableCalibration, finishCalibration, manualSeed } from '@pq/nn';
import { WASM_DIR } from '../src/wasm-dir.js';

setWasmPaths(WASM_DIR);

export const BATCH = 64;

export interface TrainingRow {
  /** How the backend was set up, e.g. 'wasm (enableAcceleration)'. */
  readonly backend: string;
  /** Samples/s of the float and the fake-quantized (QAT) LeNet, or why it did not run. */
  readonly float: number | string;
  readonly qat: number | string;
  readonly steps: number;
}

export interface ThreadsRow {
  readonly model: string;
  /** Samples/s on 1 and on 2 wasm threads (median over the rounds), or why it did not run. */
  readonly one: number | string;
  readonly two: number | string;
  /** 2 threads' samples/s over 1 thread's, one per round. */
  readonly ratios: number[];
}

export interface KernelRow {
  readonly size: string;
  readonly kernel: string;
  /** Elements/s per implementation ('jsKernels' first), or why it did not run. */
  readonly rates: Record<string, number | string>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
const log = (line: string) => console.log(`[bench] ${line}`);

function batch(): { x: tf.Tensor4D; labels: Int32Array } {
  let s = 7;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const images = Float32Array.from({ length: BATCH * 28 * 28 }, () => r() * 3 - 0.4);
  const labels = Int32Array.from({ length: BATCH }, () => Math.floor(r() * 10));
  return { x: tf.tensor4d(images, [BATCH, 1, 28, 28]), labels };
}

/**
 * Median seconds of one SGD (momentum 0.9) step on a batch of 64, after two warm-up steps; the
 * loss is read back asynchronously each step, as a page would. At least 3 timed steps, at most
 * `maxSteps`, and no more once 8 s are spent.
 */
async function stepSeconds(net: LeNet, maxSteps: number): Promise<{ s: number; steps: number }> {
  const { x, labels } = batch();
  const opt = new MomentumSGD(0.01, 0.9);
  const step = async () => {
    const loss = opt.minimize(() => F.nllLoss(net.call(x) as tf.Tensor, labels) as tf.Scalar, true, net.parameters())!;
    await loss.data();
    loss.dispose();
  };
  try {
    net.train();
    for (let i = 0; i < 2; i++) await step();
    const tensors = tf.memory().numTensors;
    const ts: number[] = [];
    const start = performance.now();
    while (ts.length < maxSteps && (ts.length < 3 || performance.now() - start < 8000)) {
      const t0 = performance.now();
      await step();
      ts.push((performance.now() - t0) / 1000);
    }
    const grown = tf.memory().numTensors - tensors;
    if (grown !== 0) throw new Error(`${grown} tensors more after ${ts.length} steps (a leak)`);
    return { s: median(ts), steps: ts.length };
  } finally {
    x.dispose();
    opt.dispose();
  }
}

/** The quantized LeNet, its input quantizers calibrated (max) on one batch. */
function qatLeNet(): LeNet {
  const net = new LeNet('max');
  const { x } = batch();
  net.eval();
  enableCalibration(net);
  tf.tidy(() => void net.call(x));
  finishCalibration(net); // max calibrators ignore the method
  x.dispose();
  return net;
}

async function rate(make: () => LeNet, maxSteps: number): Promise<{ rate: number | string; steps: number }> {
  manualSeed(1);
  let net: LeNet | undefined;
  try {
    net = make();
    const { s, steps } = await stepSeconds(net, maxSteps);
    return { rate: BATCH / s, steps };
  } catch (e) {
    return { rate: `failed: ${message(e)}`, steps: 0 };
  } finally {
    net?.dispose();
  }
}

const SETUPS: { backend: string; setUp: () => Promise<unknown> }[] = [
  { backend: 'cpu (stock tfjs)', setUp: () => tf.setBackend('cpu') },
  { backend: 'cpu (enableAcceleration)', setUp: () => enableAcceleration({ backend: 'cpu' }) },
  { backend: 'wasm (enableAcceleration)', setUp: () => enableAcceleration() },
  { backend: 'webgl', setUp: () => tf.setBackend('webgl') },
  { backend: 'webgpu', setUp: () => tf.setBackend('webgpu') },
];

async function training(maxSteps = 10): Promise<TrainingRow[]> {
  const rows: TrainingRow[] = [];
  for (const { backend, setUp } of SETUPS) {
    disableAcceleration();
    let ok: unknown;
    try {
      ok = await setUp();
      await tf.ready();
    } catch (e) {
      ok = message(e);
    }
    if (ok === false || typeof ok === 'string') {
      rows.push({ backend, float: `unavailable${typeof ok === 'string' ? `: ${ok}` : ''}`, qat: '-', steps: 0 });
      continue;
    }
    const float = await rate(() => new LeNet(null), maxSteps);
    const qat = await rate(qatLeNet, maxSteps);
    rows.push({ backend: `${backend} [${tf.getBackend()}]`, float: float.rate, qat: qat.rate, steps: float.steps });
    log(`${backend}: float ${String(float.rate)}, qat ${String(qat.rate)} samples/s`);
  }
  disableAcceleration();
  return rows;
}

/**
 * LeNet's training step on 1 and on 2 wasm threads (`enableAcceleration({ threads })`, which
 * replaces the backend, so between measurements, not between steps): `rounds` rounds, each
 * measuring 1 thread then 2, so that a neighbour's load lands on both alike; the ratio is taken
 * per round. Needs a cross-origin-isolated page (refused otherwise, as the row then says).
 */
async function threads(rounds = 3, maxSteps = 6): Promise<ThreadsRow[]> {
  const models: [string, () => LeNet][] = [['float', () => new LeNet(null)], ['QAT', qatLeNet]];
  const rates = new Map<string, { one: number[]; two: number[] }>(models.map(([m]) => [m, { one: [], two: [] }]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (const n of [1, 2]) {
        await enableAcceleration({ threads: n });
        for (const [model, make] of models) {
          const got = await rate(make, maxSteps);
          if (typeof got.rate === 'string') throw new Error(`${model} on ${n} thread(s): ${got.rate}`);
          rates.get(model)![n === 1 ? 'one' : 'two'].push(got.rate);
        }
        log(`threads round ${r + 1}, ${n} thread(s): ${models.map(([m]) => `${m} ${rates.get(m)![n === 1 ? 'one' : 'two'].at(-1)!.toFixed(0)}`).join(', ')} samples/s`);
      }
    }
  } catch (e) {
    return models.map(([model]) => ({ model, one: `failed: ${message(e)}`, two: '-', ratios: [] }));
  } finally {
    disableAcceleration();
  }
  return models.map(([model]) => {
    const { one, two } = rates.get(model)!;
    return { model, one: median(one), two: median(two), ratios: one.map((v, i) => two[i]! / v) };
  });
}

type FakeQuant = (x: NDArray, amax: NDArray) => NDArray | Promise<NDArray>;

const data = (n: number): NDArray => ndarray(uniformFloats(n), [64, n / 64]);

/** The gpu.js backends, each only if it runs what was asked for (the self-test passed). */
async function gpuKernels(): Promise<{ impls: Record<string, FakeQuant>; refused: Record<string, string>; auto: string; dispose: () => void }> {
  const auto = createGpuKernels();
  const made: { dispose(): void }[] = [auto];
  const impls: Record<string, FakeQuant> = { jsKernels: (x, a) => jsKernels.fakeTensorQuant(x, a) };
  const refused: Record<string, string> = {};
  for (const mode of ['webgl2', 'webgl', 'webgpu', 'webasm'] as const) {
    const warnings: string[] = [];
    const k = mode === 'webgpu'
      ? await createAsyncGpuKernels({ mode, onWarning: (m) => warnings.push(m) })
      : createGpuKernels({ mode, onWarning: (m) => warnings.push(m) });
    made.push(k);
    if (k.backend === mode) impls[mode] = (x, a) => k.fakeTensorQuant(x, a);
    else refused[mode] = warnings[0] ?? `ran ${k.backend}`;
  }
  return { impls, refused, auto: `'${auto.backend}' (${auto.reason})`, dispose: () => made.forEach((k) => k.dispose()) };
}

/**
 * Elements/s of fakeTensorQuant per implementation: one warm-up each (kernel compilation),
 * then `reps` rounds running them in turn (a neighbour's load lands on all alike), median.
 * Each result is checked bit for bit against jsKernels.
 */
async function kernels(): Promise<{ rows: KernelRow[]; refused: Record<string, string>; auto: string; simd: boolean }> {
  const { impls, refused, auto, dispose } = await gpuKernels();
  const rows: KernelRow[] = [];
  try {
    for (const [size, n, reps] of [['1M', 1 << 20, 9], ['4M', 1 << 22, 7]] as const) {
      const x = data(n);
      const cases: [string, NDArray][] = [
        ['fakeTensorQuant (per tensor)', jsKernels.reduceAmax(x)],
        ['fakeTensorQuant (64 rows)', jsKernels.reduceAmax(x, [1])],
      ];
      for (const [kernel, amax] of cases) {
        const expected = jsKernels.fakeTensorQuant(x, amax).data;
        const names = Object.keys(impls);
        const rates: Record<string, number | string> = {};
        for (const name of names) {
          const got = (await impls[name]!(x, amax)).data;
          const bad = got.findIndex((v, i) => !Object.is(v, expected[i]));
          if (bad >= 0) rates[name] = `differs at ${bad}`;
        }
        const ts: Record<string, number[]> = Object.fromEntries(names.map((m) => [m, []]));
        for (let r = 0; r < reps; r++) {
          for (const name of names) {
            if (name in rates) continue;
            const t0 = performance.now();
            await impls[name]!(x, amax);
            ts[name]!.push(performance.now() - t0);
          }
        }
        for (const name of names) if (!(name in rates)) rates[name] = n / (median(ts[name]!) / 1000);
        rows.push({ size, kernel, rates });
        log(`${size} ${kernel}: ${names.map((m) => `${m} ${typeof rates[m] === 'number' ? (rates[m] / 1e6).toFixed(1) + 'M/s' : rates[m]}`).join(', ')}`);
      }
    }
  } finally {
    dispose();
  }
  return { rows, refused, auto, simd: simdActive() };
}

/** The browser and its GPU, as the page sees them. */
async function info(): Promise<Record<string, string>> {
  const gl = document.createElement('canvas').getContext('webgl2');
  const ext = gl?.getExtension('WEBGL_debug_renderer_info');
  const renderer = gl ? String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)) : 'no WebGL2';
  type Adapter = { info?: Record<string, string> } | null;
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<Adapter> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  const a = adapter?.info;
  return {
    userAgent: navigator.userAgent,
    webgl2: renderer,
    webgpu: adapter ? [a?.vendor, a?.architecture, a?.description].filter(Boolean).join(' ') || 'adapter' : 'no adapter',
    crossOriginIsolated: String(globalThis.crossOriginIsolated),
    hardwareConcurrency: String(navigator.hardwareConcurrency),
  };
}

const bench = { info, training, threads, kernels };
export type Bench = typeof bench;
(globalThis as { pqBench?: Bench }).pqBench = bench;
