// A straightforward JavaScript port of the reference's three amax methods
// (pytorch_quantization/calib/histogram.py, 2.2.1), line by line, O(bins^2) like the original.
// It is the oracle for the fast versions in src/ and the baseline of bench/run.ts.
import { fakeTensorQuant, ndarray, scaledE4M3 } from '@pq/core';
import { pairwiseSum } from '../src/numpy-sum.js';

export interface PortOptions {
  numBits?: number | readonly [4, 3];
  unsigned?: boolean;
  stride?: number;
  startBin?: number;
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/** scipy.stats.entropy(pk, qk). */
function scipyEntropy(pk: Float64Array, qk: Float64Array): number {
  const sp = pairwiseSum(pk, 0, pk.length);
  const sq = pairwiseSum(qk, 0, qk.length);
  const vec = new Float64Array(pk.length);
  for (let j = 0; j < pk.length; j++) vec[j] = relEntr((1.0 * pk[j]!) / sp, (1.0 * qk[j]!) / sq);
  return pairwiseSum(vec, 0, vec.length);
}

/** np.digitize(x, space) for increasing `space`: the index m with space[m-1] <= x < space[m]. */
function digitize(x: number, space: Float64Array): number {
  let lo = 0;
  let hi = space.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (space[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Per-candidate divergences, exposed for tests. */
export function portEntropyDivergences(counts: ArrayLike<number>, o: PortOptions = {}): { args: number[]; divergences: number[] } {
  const numBits = o.numBits as number ?? 8;
  const unsigned = o.unsigned ?? false;
  const stride = o.stride ?? 1;
  const startBin = o.startBin ?? 128;
  const bins = Float64Array.from(counts);
  bins[0] = bins[1]!;
  const nbins = 1 << (numBits - 1 + (unsigned ? 1 : 0));
  const stop = bins.length;
  const newDensityCounts = new Float64Array(nbins);
  const divergences: number[] = [];
  const args: number[] = [];
  for (let i = startBin; i <= stop; i += stride) {
    newDensityCounts.fill(0);
    // np.linspace(0, i, num=nbins + 1)
    const space = new Float64Array(nbins + 1);
    const step = i / nbins;
    for (let k = 0; k <= nbins; k++) space[k] = k * step;
    space[nbins] = i;
    const digitizedSpace = new Int32Array(i);
    for (let j = 0; j < i; j++) digitizedSpace[j] = digitize(j, space) - 1;
    for (let j = 0; j < i; j++) if (bins[j] === 0) digitizedSpace[j] = -1;
    for (let j = 0; j < i; j++) {
      const d = digitizedSpace[j]!;
      if (d !== -1) newDensityCounts[d] = newDensityCounts[d]! + bins[j]!;
    }
    const counter = new Map<number, number>();
    for (const d of digitizedSpace) counter.set(d, (counter.get(d) ?? 0) + 1);
    for (const [key, val] of counter) if (key !== -1) newDensityCounts[key] = newDensityCounts[key]! / val;
    const newDensity = new Float64Array(i);
    for (let j = 0; j < i; j++) {
      const d = digitizedSpace[j]!;
      if (d !== -1) newDensity[j] = newDensityCounts[d]!;
    }
    const referenceDensity = Float64Array.from(bins.subarray(0, i));
    referenceDensity[i - 1] = referenceDensity[i - 1]! + pairwiseSum(bins, i, stop - i);
    divergences.push(scipyEntropy(referenceDensity, newDensity));
    args.push(i);
  }
  return { args, divergences };
}

export function portAmaxEntropy(counts: ArrayLike<number>, edges: ArrayLike<number>, o: PortOptions = {}): number {
  const { args, divergences } = portEntropyDivergences(counts, o);
  // last_argmin = len(d) - 1 - np.argmin(d[::-1])
  let best = 0;
  for (let k = 1; k < divergences.length; k++) if (divergences[k]! <= divergences[best]!) best = k;
  return edges[args[best]!]!;
}

/** Per-candidate float32 mses, exposed for tests. */
export function portMses(
  counts: ArrayLike<number>, edges: ArrayLike<number>, o: PortOptions = {},
): { centers: Float32Array; args: number[]; mses: number[] } {
  const numBits = o.numBits ?? 8;
  const unsigned = o.unsigned ?? false;
  const stride = o.stride ?? 1;
  const startBin = o.startBin ?? 128;
  const n = counts.length;
  const w = Float32Array.from(counts);
  const e = Float32Array.from(edges);
  const centers = new Float32Array(n);
  for (let j = 0; j < n; j++) centers[j] = Math.fround(Math.fround(e[j + 1]! + e[j]!) / 2);
  const x = ndarray(centers);
  const mses: number[] = [];
  const args: number[] = [];
  for (let i = startBin; i < n; i += stride) {
    const amax = centers[i]!;
    const q = typeof numBits === 'number' ? fakeTensorQuant(x, amax, { numBits, unsigned }).data : scaledE4M3(x, amax).data;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const d = Math.fround(q[j]! - centers[j]!);
      sum += Math.fround(Math.fround(d * d) * w[j]!);
    }
    mses.push(Math.fround(sum / n));
    args.push(i);
  }
  return { centers, args, mses };
}

export function portAmaxMse(counts: ArrayLike<number>, edges: ArrayLike<number>, o: PortOptions = {}): number {
  const { centers, args, mses } = portMses(counts, edges, o);
  let best = 0;
  for (let k = 1; k < mses.length; k++) if (mses[k]! < mses[best]!) best = k;
  return centers[args[best]!]!;
}

export function portAmaxPercentile(counts: ArrayLike<number>, edges: ArrayLike<number>, percentile: number): number {
  const hist = Float64Array.from(counts);
  const total = pairwiseSum(hist, 0, hist.length);
  const cdf = new Float64Array(hist.length);
  let acc = 0;
  for (let j = 0; j < hist.length; j++) cdf[j] = acc += hist[j]! / total;
  const v = percentile / 100;
  let idx = 0;
  while (idx < cdf.length && cdf[idx]! < v) idx++;
  return edges[idx]!;
}
