// pnpm bench: each amax method on a 2048-bin histogram of a realistic activation (ReLU output
// with rare outliers), against the straightforward port of the reference run in this process,
// and collect() of a 1M-element batch.
import { timeRuns } from '@pq/bench-utils';
import { jsKernels, ndarray } from '@pq/core';
import { HistogramCalibrator, computeAmaxEntropy, computeAmaxMse, computeAmaxPercentile } from '../src/index.js';
import { entropySearch } from '../src/entropy.js';
import { mseSearch } from '../src/mse.js';
import { reluActivation } from '../test/histograms.js';
import { portAmaxEntropy, portAmaxMse, portAmaxPercentile } from '../test/reference-port.js';

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
  const f = timeRuns(fast, { warmup: 5, runs: 41 });
  const p = timeRuns(port, { warmup: 1, runs: name === 'percentile' ? 41 : 5 });
  const cell = (t: { median: number; fastest: number }) => `${t.median.toFixed(2)} (${t.fastest.toFixed(2)})`;
  console.log(
    `${name.padEnd(12)} ${cell(f).padEnd(15)} ${cell(p).padEnd(19)} ${(p.median / f.median).toFixed(1).padStart(8)}x` +
      `           ${String(f.result === p.result).padStart(9)}   ${String(checks()).padStart(12)}`,
  );
}

const batch = ndarray(reluActivation(1 << 20, 2));
const collecting = new HistogramCalibrator();
collecting.collect(ndarray(activation));
const c = timeRuns(() => collecting.collect(batch), { warmup: 3, runs: 21 });
console.log(`collect of a 1M-element batch (into a 2048-bin histogram): ${c.median.toFixed(2)} (${c.fastest.toFixed(2)}) ms`);
const amax = timeRuns(() => jsKernels.reduceAmax(batch, null, false), { warmup: 3, runs: 21 });
const hist = timeRuns(() => jsKernels.histogram(batch, 2048, 25), { warmup: 3, runs: 21 });
console.log(
  `  of which @pq/core jsKernels: reduceAmax ${amax.median.toFixed(2)} (${amax.fastest.toFixed(2)}) ms, ` +
    `histogram ${hist.median.toFixed(2)} (${hist.fastest.toFixed(2)}) ms`,
);
