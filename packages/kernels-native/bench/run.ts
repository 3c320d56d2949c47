// `pnpm bench` in @pq/kernels-native: the native kernels against PyTorch's (bench/kernels_torch.py,
// /usr/bin/python3 with torch) on 1 and 2 threads, per case: square matmuls and ResNet-18's 3x3
// 64->64 convolution on a 32x64x32x32 batch (NHWC here, and NCHW as PyTorch lays it out), forward,
// input gradient and filter gradient, MobileNetV2's depthwise 3x3 (NCHW), and the max-pooling
// gradients of LeNet and ResNet's stem (PyTorch's given the forward pass's indices) and an
// average-pooling gradient, and a conv weight's fake quantization into tfjs's layout and its
// gradient's mask (fakeQuantSwap, straightThroughSwap). Medians in ms and GFLOP/s (pooling: no GFLOP/s); the ratio is PyTorch's time over
// native's (above 1: native is faster). Each case runs native, then PyTorch, then native again
// (the faster native median is kept), so both sides of a ratio see about the same load on a
// shared machine; the load average is printed with the table.
// Options: --runs N (most runs per case, default 10), --budget MS (time per case and side,
// default 1500), --only SUBSTRING, --threads N (the second thread count, default 2), --no-torch.
import os from 'node:os';
import { benchArg, median, runTorchScript } from '@pq/bench-utils';
import { loadNativeKernels, nativeUnavailableReason, type Conv2dGeometry, type CpuKernels, type Pool2dGeometry } from '../src/index.js';

const RUNS = Number(benchArg('runs', '10'));
const BUDGET_MS = Number(benchArg('budget', '1500'));
const ONLY = benchArg('only', '');
const THREADS = [...new Set([1, Number(benchArg('threads', '2'))])];

type Case =
  | { id: string; op: 'matmul'; m: number; n: number; k: number }
  | { id: string; op: 'conv'; pass: Pass; x: number[]; w: number[]; stride: number; pad: number; channelsFirst?: boolean; depthwise?: boolean }
  | { id: string; op: 'pool'; x: number[]; window: number; stride: number; pad: number; average?: boolean }
  | { id: string; op: 'weightQuant'; pass: 'forward' | 'gradient'; w: number[] };

type Pass = 'forward' | 'input' | 'filter';
/**
 * A convolution's three passes: `name` with x and w in PyTorch's NCHW / OIHW shapes (native: NHWC,
 * or NCHW with `channelsFirst`; a depthwise filter [C, 1, kh, kw] with `depthwise`).
 */
const conv = (name: string, x: number[], w: number[], stride: number, pad: number, layout: { channelsFirst?: boolean; depthwise?: boolean } = {}): Case[] =>
  (['forward', 'input', 'filter'] as Pass[]).map((pass) => ({ id: `${name} ${pass}`, op: 'conv', pass, x, w, stride, pad, ...layout }));
const pool = (id: string, x: number[], window: number, stride: number, pad: number, average = false): Case => ({ id, op: 'pool', x, window, stride, pad, average });
const CASES: Case[] = [
  ...[512, 1024, 2048].map((s): Case => ({ id: `matmul ${s}`, op: 'matmul', m: s, n: s, k: s })),
  ...conv('conv 3x3 64->64 32x64x32x32', [32, 64, 32, 32], [64, 64, 3, 3], 1, 1),
  ...conv('conv 3x3 64->64 32x64x32x32 NCHW', [32, 64, 32, 32], [64, 64, 3, 3], 1, 1, { channelsFirst: true }),
  // MobileNetV2's depthwise 3x3 at 16x16, channels first.
  ...conv('depthwise 3x3 96 32x96x16x16 NCHW', [32, 96, 16, 16], [96, 1, 3, 3], 1, 1, { channelsFirst: true, depthwise: true }),
  // ResNet-18's stem on 64x64 images, and LeNet's two convolutions at batch 64: few channels.
  ...conv('conv 7x7/2 3->64 8x3x64x64', [8, 3, 64, 64], [64, 3, 7, 7], 2, 3),
  ...conv('conv 5x5 1->10 64x1x28x28', [64, 1, 28, 28], [10, 1, 5, 5], 1, 0),
  ...conv('conv 5x5 10->20 64x10x12x12', [64, 10, 12, 12], [20, 10, 5, 5], 1, 0),
  // x in PyTorch's NCHW shape: LeNet's first pool (2x2 stride 2) and ResNet-18's stem pool (3x3 stride 2 pad 1).
  pool('maxPoolGrad 2x2/2 64x10x24x24', [64, 10, 24, 24], 2, 2, 0),
  pool('maxPoolGrad 3x3/2 pad 1 8x64x32x32', [8, 64, 32, 32], 3, 2, 1),
  pool('avgPoolGrad 2x2/2 32x64x32x32', [32, 64, 32, 32], 2, 2, 0, true),
  // ResNet-18's largest weight: fake quantization per output channel into tfjs's layout, and its
  // gradient's mask back (PyTorch: its fake-quant op, then the permutation made contiguous).
  ...(['forward', 'gradient'] as const).map((pass): Case => ({ id: `fakeQuantSwap 512x512x3x3 ${pass}`, op: 'weightQuant', pass, w: [512, 512, 3, 3] })),
].filter((c) => c.id.includes(ONLY));

function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** A function running the case once on `kernels`, and the case's floating-point operations. */
function build(c: Case, kernels: CpuKernels): { run: () => void; flops: number } {
  if (c.op === 'matmul') {
    const a = random(c.m * c.k, 1), b = random(c.k * c.n, 2), out = new Float32Array(c.m * c.n);
    return { run: () => kernels.matmul(a, b, out, 1, c.m, c.n, c.k, false, false), flops: 2 * c.m * c.n * c.k };
  }
  if (c.op === 'weightQuant') {
    const [outer, middle, ...taps] = c.w as [number, number, ...number[]];
    const inner = taps.reduce((p, d) => p * d, 1);
    const w = random(outer * middle * inner, 1), dy = random(w.length, 2), out = new Float32Array(w.length);
    const amax = new Float32Array(outer).fill(0.9);
    const scale = amax.map((a) => 127 / a);
    const run = c.pass === 'forward'
      ? () => kernels.fakeQuantSwap(w, out, outer, middle, inner, scale, scale, -127, 127)
      : () => kernels.straightThroughSwap(w, dy, out, outer, middle, inner, amax);
    return { run, flops: 0 };
  }
  if (c.op === 'pool') {
    const [batch, channels, inHeight, inWidth] = c.x as [number, number, number, number];
    const outHeight = Math.floor((inHeight + 2 * c.pad - c.window) / c.stride) + 1;
    const outWidth = Math.floor((inWidth + 2 * c.pad - c.window) / c.stride) + 1;
    const g: Pool2dGeometry = {
      batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight: c.window, filterWidth: c.window,
      strideHeight: c.stride, strideWidth: c.stride, padTop: c.pad, padLeft: c.pad,
    };
    const x = random(batch * inHeight * inWidth * channels, 1), dy = random(batch * outHeight * outWidth * channels, 2);
    const dx = new Float32Array(x.length);
    return { run: c.average ? () => kernels.avgPoolGrad(dy, dx, g) : () => kernels.maxPoolGrad(x, dy, dx, g), flops: 0 };
  }
  const [batch, inChannels, inHeight, inWidth] = c.x as [number, number, number, number];
  const [outChannels, , filterHeight, filterWidth] = c.w as [number, number, number, number];
  const outHeight = Math.floor((inHeight + 2 * c.pad - filterHeight) / c.stride) + 1;
  const outWidth = Math.floor((inWidth + 2 * c.pad - filterWidth) / c.stride) + 1;
  const g: Conv2dGeometry = {
    batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth,
    strideHeight: c.stride, strideWidth: c.stride, padTop: c.pad, padLeft: c.pad, channelsFirst: c.channelsFirst === true,
  };
  const perOutput = filterHeight * filterWidth * (c.depthwise ? 1 : inChannels);
  const x = random(batch * inHeight * inWidth * inChannels, 1);
  const w = random(filterHeight * filterWidth * (c.depthwise ? inChannels : inChannels * outChannels), 2);
  const y = random(batch * outHeight * outWidth * outChannels, 3);
  const flops = 2 * batch * outHeight * outWidth * outChannels * perOutput;
  const dx = new Float32Array(x.length), dw = new Float32Array(w.length);
  const run = c.depthwise
    ? {
      forward: () => kernels.depthwiseConv2d(x, w, y, g),
      input: () => kernels.depthwiseConv2dBackpropInput(y, w, dx, g),
      filter: () => kernels.depthwiseConv2dBackpropFilter(x, y, dw, g),
    }[c.pass]
    : {
      forward: () => kernels.conv2d(x, w, y, g),
      input: () => kernels.conv2dBackpropInput(y, w, dx, g),
      filter: () => kernels.conv2dBackpropFilter(x, y, dw, g),
    }[c.pass];
  return { run, flops };
}

interface Timing {
  wall: number;
  cpu: number;
}

/**
 * Median wall and CPU ms (the process's CPU time, all threads), after a warm-up, of as many runs
 * as fit the budget (3 to RUNS), as the PyTorch half counts them.
 */
function timed(run: () => void): Timing {
  run();
  let t0 = performance.now();
  run();
  const first = performance.now() - t0;
  const n = Math.max(3, Math.min(RUNS, Math.floor(BUDGET_MS / Math.max(first, 1e-3))));
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    t0 = performance.now();
    run();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

const better = (a: Timing, b: Timing): Timing => ({ wall: Math.min(a.wall, b.wall), cpu: Math.min(a.cpu, b.cpu) });

/**
 * One thread is compared on CPU time, which a busy shared machine inflates far less than wall
 * time (a single-threaded run's CPU time is its own compute); more threads on wall time, since
 * their CPU time is the sum over threads.
 */
const metric = (threads: number): keyof Timing => (threads === 1 ? 'cpu' : 'wall');

function main(): void {
  const kernels = THREADS.map((threads) => loadNativeKernels({ threads }));
  if (kernels.some((k) => k === null)) {
    console.log(`@pq/kernels-native bench: skipped, ${nativeUnavailableReason()}`);
    return;
  }
  const script = new URL('./kernels_torch.py', import.meta.url);
  console.log(
    `@pq/kernels-native vs PyTorch, ms (medians, up to ${RUNS} runs or ${BUDGET_MS} ms per case), 1 thread: CPU time, ` +
      `${THREADS.slice(1).map((t) => `${t} threads`).join(', ')}: wall time; ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores`,
  );
  const head = THREADS.map((t) => `native ${t}t ${metric(t)} ms (GFLOP/s) | torch ${t}t | torch/native`).join(' | ');
  console.log(`| case | ${head} |`);
  console.log(`| --- |${' --- |'.repeat(3 * THREADS.length)}`);
  let torchVersion = '';
  for (const c of CASES) {
    const built = kernels.map((k) => build(c, k!));
    const first = built.map((b) => timed(b.run));
    const torch = runTorchScript<{ torch: string; cases: Record<string, Record<string, Timing>> }>(script, [JSON.stringify([c]), THREADS.join(','), RUNS, BUDGET_MS]);
    const native = built.map((b, i) => better(first[i]!, timed(b.run)));
    if (torch) torchVersion = torch.torch;
    const cells = THREADS.map((t, i) => {
      const ms = native[i]![metric(t)];
      const theirs = torch?.cases[c.id]?.[String(t)]?.[metric(t)];
      const gflops = built[i]!.flops > 0 ? (built[i]!.flops / ms / 1e6).toFixed(1) : '-';
      return `${ms.toFixed(2)} (${gflops}) | ${theirs === undefined ? '-' : theirs.toFixed(2)} | ${theirs === undefined ? '-' : `${(theirs / ms).toFixed(2)}x`}`;
    });
    console.log(`| ${c.id} | ${cells.join(' | ')} |`);
  }
  console.log(`PyTorch ${torchVersion || 'not run'}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`);
}

main();
