// pnpm bench: per size and kernel, the time of jsKernels, of each gpu.js mode that runs here,
// and of the same math as tfjs-core ops on its cpu backend; ratios > 1 mean faster than that
// baseline. Also the first-call cost (kernel compilation) per mode and size. One process, one run.
import { median, timeMedian, uniformFloats } from '@pq/bench-utils';
import { jsKernels, ndarray, type NDArray, type QuantKernels } from '@pq/core';
import { createGpuKernels } from '../src/index.js';
import { initTfjs, tfFakeQuant, tfHistogram, tfQuant, tfReduceAmax } from './tfjs-ops.js';

const SIZES: [string, number][] = [['64K', 1 << 16], ['1M', 1 << 20], ['16M', 1 << 24]];
// 'auto' is what createGpuKernels() picks here (@pq/core's jsKernels, 'core', without a GPU).
const MODES = ['auto', 'webasm', 'cpu'] as const;

interface Case {
  name: string;
  run: (k: QuantKernels) => unknown;
  tf: () => unknown;
}

const data = (n: number): NDArray => ndarray(uniformFloats(n), [64, n / 64]);

function cases(x: NDArray): Case[] {
  const amax = jsKernels.reduceAmax(x);
  const perRow = jsKernels.reduceAmax(x, [1]);
  const max = amax.data[0]!;
  return [
    { name: 'fakeTensorQuant (per tensor)', run: (k) => k.fakeTensorQuant(x, amax), tf: () => tfFakeQuant(x, amax) },
    { name: 'fakeTensorQuant (64 rows)', run: (k) => k.fakeTensorQuant(x, perRow), tf: () => tfFakeQuant(x, perRow) },
    { name: 'tensorQuant (per tensor)', run: (k) => k.tensorQuant(x, amax), tf: () => tfQuant(x, amax) },
    { name: 'reduceAmax (all axes)', run: (k) => k.reduceAmax(x), tf: () => tfReduceAmax(x) },
    { name: 'reduceAmax (per row)', run: (k) => k.reduceAmax(x, [1]), tf: () => tfReduceAmax(x, [1]) },
    { name: 'histogram (2048 bins)', run: (k) => k.histogram(x, 2048, max), tf: () => tfHistogram(x, 2048, max) },
  ];
}

/** Median wall time (ms) of `reps` runs after one warm-up. */
const time = (f: () => unknown, reps: number): number => timeMedian(f, { warmup: 1, runs: reps });

/**
 * Median wall time (ms) of each of `fs` over `reps` rounds that run them in turn, after one
 * warm-up each: a neighbour's load or a GC lands on all of them alike, so their ratios hold.
 */
function timeInTurn(fs: (() => unknown)[], reps: number): number[] {
  for (const f of fs) f();
  const ts = fs.map(() => [] as number[]);
  for (let r = 0; r < reps; r++) {
    fs.forEach((f, i) => {
      const t0 = performance.now();
      f();
      ts[i]!.push(performance.now() - t0);
    });
  }
  return ts.map(median);
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const ratio = (base: number, ms: number) => `${(base / ms).toFixed(2)}x`;

async function main(): Promise<void> {
  await initTfjs();
  const auto = createGpuKernels();
  console.log(`Node ${process.version}, ${process.platform}/${process.arch}; 'auto' runs '${auto.backend}'; ratio = baseline time / this time (>1: faster)\n`);
  auto.dispose();
  const header = ['size', 'kernel', 'js ms', 'tfjs-cpu ms', ...MODES.flatMap((m) => [`${m} ms`, `${m} vs js`, `${m} vs tfjs`])];
  const rows: string[][] = [];
  const firstCall: string[][] = [];
  for (const [label, n] of SIZES) {
    const x = data(n);
    const reps = n >= 1 << 24 ? 3 : n >= 1 << 20 ? 7 : 25;
    const kernels = Object.fromEntries(MODES.map((m) => [m, createGpuKernels({ mode: m })]));
    for (const c of cases(x)) {
      // first call on fresh kernels: includes compiling the kernels for this shape
      const first = MODES.map((m) => {
        const t0 = performance.now();
        c.run(kernels[m]!);
        return performance.now() - t0;
      });
      firstCall.push([label, c.name, ...first.map(fmt)]);
      const tfms = time(c.tf, reps);
      // At least 7 rounds: at 16M a GC of the 64 MB outputs lands on one run in a few.
      const [js, ...modeMs] = timeInTurn([() => c.run(jsKernels), ...MODES.map((m) => () => c.run(kernels[m]!))], Math.max(reps, 7));
      const row = [label, c.name, fmt(js!), fmt(tfms)];
      modeMs.forEach((ms) => row.push(fmt(ms), ratio(js!, ms), ratio(tfms, ms)));
      rows.push(row);
      console.error(`  ${row.join(' | ')}`);
    }
    for (const k of Object.values(kernels)) k.dispose();
  }
  const table = (h: string[], r: string[][]) =>
    [`| ${h.join(' | ')} |`, `|${h.map(() => ' --- ').join('|')}|`, ...r.map((x) => `| ${x.join(' | ')} |`)].join('\n');
  console.log(table(header, rows));
  console.log('\nFirst call on fresh kernels (ms, includes compiling this shape):\n');
  console.log(table(['size', 'kernel', ...MODES.map((m) => `${m} first call`)], firstCall));
}

await main();
