// pnpm bench: each amax method on a 2048-bin histogram of a realistic activation (ReLU output
// with rare outliers), against the straightforward port of the reference run in this process,
// and collect() of a 1M-element batch.
import { jsKernels, ndarray } from '@pq/core';
import { HistogramCalibrator, computeAmaxEntropy, computeAmaxMse, computeAmaxPercentile } from '../src/index.js';
import { entropySearch } from '../src/entropy.js';
import { mseSearch } from '../src/mse.js';
import { reluActivation } from '../test/histograms.js';
import { portAmaxEntropy, portAmaxMse, portAmaxPercentile } from '../test/reference-port.js';

/** Median wall time in ms over `runs` runs after `warmup` unmeasured ones, and the last result. */
function time<T>(fn: () => T, runs: number, warmup = 2): { ms: number; result: T } {
  let result = fn();
  for (let i = 1; i < warmup; i++) result = fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { ms: ts[Math.floor(ts.length / 2)]!, result };
}

const activation = reluActivation(1 << 20, 1);
const cal = new HistogramCalibrator();
cal.collect(ndarray(activation));
const { counts, edges } = cal.histogram!;
console.log(`histogram: ${counts.length} bins over [0, ${edges[edges.length - 1]!.toFixed(3)}] of 1M ReLU values with outliers`);
console.log('method       pq (ms)   port (ms)   speed-up   same amax   exact checks');

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
  const f = time(fast, 21, 3);
  const p = time(port, name === 'percentile' ? 21 : 3, 1);
  console.log(
    `${name.padEnd(12)} ${f.ms.toFixed(2).padStart(7)}   ${p.ms.toFixed(2).padStart(9)}   ${(p.ms / f.ms).toFixed(1).padStart(7)}x` +
      `   ${String(f.result === p.result).padStart(9)}   ${String(checks()).padStart(12)}`,
  );
}

const batch = ndarray(reluActivation(1 << 20, 2));
const collecting = new HistogramCalibrator();
collecting.collect(ndarray(activation));
const c = time(() => collecting.collect(batch), 15, 3);
console.log(`collect of a 1M-element batch (into a 2048-bin histogram): ${c.ms.toFixed(2)} ms`);
const amaxMs = time(() => jsKernels.reduceAmax(batch, null, false), 15, 3).ms;
const histMs = time(() => jsKernels.histogram(batch, 2048, 25), 15, 3).ms;
console.log(`  of which @pq/core jsKernels: reduceAmax ${amaxMs.toFixed(2)} ms, histogram ${histMs.toFixed(2)} ms`);
