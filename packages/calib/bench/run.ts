// pnpm bench: each amax method on a 2048-bin histogram of a realistic activation (ReLU output
// with rare outliers), against the straightforward port of the reference run in this process,
// and collect() of a 1M-element batch.
import { jsKernels, ndarray } from '@pq/core';
import { HistogramCalibrator, computeAmaxEntropy, computeAmaxMse, computeAmaxPercentile } from '../src/index.js';
import { entropySearch } from '../src/entropy.js';
import { mseSearch } from '../src/mse.js';
import { reluActivation } from '../test/histograms.js';
import { portAmaxEntropy, portAmaxMse, portAmaxPercentile } from '../test/reference-port.js';

/**
 * Median and fastest wall time in ms over `runs` runs after `warmup` unmeasured ones, and the
 * last result. On a shared machine the fastest run is the one least disturbed by neighbours.
 */
function time<T>(fn: () => T, runs: number, warmup = 2): { ms: number; min: number; result: T } {
  let result = fn();
  for (let i = 1; i < warmup; i++) result = fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { ms: ts[Math.floor(ts.length / 2)]!, min: ts[0]!, result };
}

const activation = reluActivation(1 << 20, 1);
const cal = new HistogramCalibrator();
cal.collect(ndarray(activation));
const { counts, edges } = cal.histogram!;
console.log(`histogram: ${counts.length} bins over [0, ${edges[edges.length - 1]!.toFixed(3)}] of 1M ReLU values with outliers`);
console.log('times: median (fastest) of repeated runs');
console.log('method       pq (ms)         port (ms)           speed-up (median)   same amax   exact checks');

const e4m3 = { numBits: [4, 3] as const };
const rows: [string, () => number, () => number, () => number][] = [
  ['entropy', () => computeAmaxEntropy(counts, edges), () => Math.fround(portAmaxEntropy(counts, edges)),
    () => entropySearch(counts, edges).exactChecks],
  ['mse', () => computeAmaxMse(counts, edges), () => portAmaxMse(counts, edges), () => mseSearch(counts, edges).exactChecks],
  ['mse E4M3', () => computeAmaxMse(counts, edges, e4m3), () => portAmaxMse(counts, edges, e4m3),
    () => mseSearch(counts, edges, e4m3).exactChecks],
  ['percentile', () => computeAmaxPercentile(counts, edges, 99.99), () => portAmaxPercentile(counts, edges, 99.99), () => 0],
];
for (const [name, fast, port, checks] of rows) {
  const f = time(fast, 41, 5);
  const p = time(port, name === 'percentile' ? 41 : 5, 1);
  const cell = (t: { ms: number; min: number }) => `${t.ms.toFixed(2)} (${t.min.toFixed(2)})`;
  console.log(
    `${name.padEnd(12)} ${cell(f).padEnd(15)} ${cell(p).padEnd(19)} ${(p.ms / f.ms).toFixed(1).padStart(8)}x` +
      `           ${String(f.result === p.result).padStart(9)}   ${String(checks()).padStart(12)}`,
  );
}

const batch = ndarray(reluActivation(1 << 20, 2));
const collecting = new HistogramCalibrator();
collecting.collect(ndarray(activation));
const c = time(() => collecting.collect(batch), 21, 3);
console.log(`collect of a 1M-element batch (into a 2048-bin histogram): ${c.ms.toFixed(2)} (${c.min.toFixed(2)}) ms`);
const amax = time(() => jsKernels.reduceAmax(batch, null, false), 21, 3);
const hist = time(() => jsKernels.histogram(batch, 2048, 25), 21, 3);
console.log(
  `  of which @pq/core jsKernels: reduceAmax ${amax.ms.toFixed(2)} (${amax.min.toFixed(2)}) ms, ` +
    `histogram ${hist.ms.toFixed(2)} (${hist.min.toFixed(2)}) ms`,
);
