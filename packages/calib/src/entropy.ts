// The entropy (KL-divergence, TensorRT-style) amax of a histogram, in O(bins * nbins) instead of
// the reference's O(bins^2) numpy loop.
//
// Every candidate's divergence is first estimated from prefix sums: within a group of Q, all
// non-empty bins share one value, so sum(p * log(p / q)) over the group is
// (sum(c log c) - G' * log(G / n) + ...) / T with G and n from prefix sums: O(1) per group. The
// estimate differs from the reference's float result by rounding only, and that difference has a
// proven bound (`tolerance` below). Every candidate whose lower bound is at most the smallest
// upper bound could be the reference's pick; those few are recomputed with the reference's exact
// float operations (entropy-divergence.ts) and the last minimum wins, as in the reference.
import { checkNumBits } from '@pq/core';
import { divergenceScratch, entropyDivergenceAt } from './entropy-divergence.js';
import { checkHistogram, checkNonEmpty, checkStrideStart } from './histogram-input.js';

export interface EntropyOptions {
  numBits?: number;
  unsigned?: boolean;
  stride?: number;
  startBin?: number;
}

const EPS = 2 ** -52;
const METHOD = 'entropy';

/** Prefix sums over the bins that the estimate reads in O(1) per group. */
interface Prefix {
  count: Float64Array; // sum of c over bins [0, j)
  nonEmpty: Int32Array; // number of c != 0 over [0, j)
  cLogC: Float64Array; // sum of c * log(c) over [0, j)
  cLogCAbs: Float64Array; // sum of |c * log(c)| over [0, j), for the error bound
  tail: Float64Array; // sum of c over [j, n)
}

function prefixSums(bins: Float64Array): Prefix {
  const n = bins.length;
  const count = new Float64Array(n + 1);
  const nonEmpty = new Int32Array(n + 1);
  const cLogC = new Float64Array(n + 1);
  const cLogCAbs = new Float64Array(n + 1);
  const tail = new Float64Array(n + 1);
  for (let j = 0; j < n; j++) {
    const c = bins[j]!;
    const t = c > 0 ? c * Math.log(c) : 0;
    count[j + 1] = count[j]! + c;
    nonEmpty[j + 1] = nonEmpty[j]! + (c !== 0 ? 1 : 0);
    cLogC[j + 1] = cLogC[j]! + t;
    cLogCAbs[j + 1] = cLogCAbs[j]! + Math.abs(t);
  }
  for (let j = n - 1; j >= 0; j--) tail[j] = tail[j + 1]! + bins[j]!;
  return { count, nonEmpty, cLogC, cLogCAbs, tail };
}

/**
 * The amax that minimises the KL divergence between the histogram and its `numBits`
 * quantization (the reference's `_compute_amax_entropy`): `edges[i]` for the best number of
 * bins `i` in `startBin, startBin + stride, ... <= counts.length`, the last one on ties.
 */
export function computeAmaxEntropy(counts: ArrayLike<number>, edges: ArrayLike<number>, o: EntropyOptions = {}): number {
  // The reference returns a float32 tensor.
  return Math.fround(edges[entropySearch(counts, edges, o).bin]!);
}

/** The chosen bin count and how many candidates needed the exact recomputation. */
export interface EntropySearch {
  bin: number;
  exactChecks: number;
}

export function entropySearch(counts: ArrayLike<number>, edges: ArrayLike<number>, o: EntropyOptions = {}): EntropySearch {
  const numBits = o.numBits ?? 8;
  const unsigned = o.unsigned ?? false;
  const stride = o.stride ?? 1;
  const startBin = o.startBin ?? 128;
  if (typeof numBits !== 'number') {
    throw new TypeError(`${METHOD}: numBits must be an integer (the entropy method has no E4M3 form), got ${String(numBits)}`);
  }
  checkNumBits(numBits, unsigned);
  checkStrideStart(stride, startBin, 1, METHOD);
  const bins = checkHistogram(counts, edges, METHOD);
  const n = bins.length;
  if (n < 2) throw new RangeError(`${METHOD}: needs at least 2 bins, got ${n}`);
  if (startBin > n) throw new RangeError(`${METHOD}: startBin ${startBin} is beyond the histogram's ${n} bins`);
  // The reference's first step: the zero bin (usually swollen by exact zeros) copies its neighbour.
  bins[0] = bins[1]!;
  const nbins = 2 ** (numBits - 1 + (unsigned ? 1 : 0));
  const pre = prefixSums(bins);
  const total = pre.count[n]!;
  checkNonEmpty(total, METHOD);
  let integral = total < 2 ** 53;
  for (let j = 0; j < n && integral; j++) integral = Number.isInteger(bins[j]!);
  // The error bound holds while every count, c * log(c) and probability stays a normal float64;
  // absurdly tiny or huge counts fall back to the exact computation throughout.
  let minPositive = Infinity;
  for (let j = 0; j < n; j++) if (bins[j]! > 0) minPositive = Math.min(minPositive, bins[j]!);
  const wellScaled = minPositive >= 2 ** -900 && total <= 2 ** 900 && minPositive / (total * n) > 2 ** -1000;
  let maxLogCount = 0;
  for (let j = 0; j < n; j++) if (bins[j]! > 0) maxLogCount = Math.max(maxLogCount, Math.abs(Math.log(bins[j]!)));
  let lastNonEmpty = n - 1;
  while (bins[lastNonEmpty] === 0) lastNonEmpty--;

  const numCandidates = Math.floor((n - startBin) / stride) + 1;
  const estimate = new Float64Array(numCandidates);
  const tolerance = new Float64Array(numCandidates);
  const logT = Math.log(total);
  let bestUpper = Infinity;
  let anyFinite = false;
  for (let ci = 0; ci < numCandidates; ci++) {
    const i = startBin + ci * stride;
    const cLast = bins[i - 1]!;
    if (cLast === 0 && lastNonEmpty >= i && wellScaled) {
      // P keeps the tail's mass in bin i-1 where Q is empty: the divergence is infinite. (With
      // extreme counts that mass can underflow to 0 once normalised, and the reference's
      // divergence stays finite: the exact computation below decides those.)
      estimate[ci] = Infinity;
      continue;
    }
    // sum over groups of G' * log(G / n), G' = G without bin i-1 (which is handled apart).
    let b = 0;
    let bAbs = 0;
    let logLast = 0;
    let maxLog = 0;
    if (nbins >= i) {
      // Groups one bin wide (or empty): Q equals the bins themselves.
      b = pre.cLogC[i - 1]!;
      bAbs = pre.cLogCAbs[i - 1]!;
      logLast = cLast > 0 ? Math.log(cLast) : 0;
      maxLog = maxLogCount;
    }
    let lo = 0;
    for (let k = 0; k < nbins && nbins < i; k++) {
      const hi = Math.ceil(((k + 1) * i) / nbins);
      if (hi > lo) {
        const nonEmpty = pre.nonEmpty[hi]! - pre.nonEmpty[lo]!;
        if (nonEmpty > 0) {
          const g = pre.count[hi]! - pre.count[lo]!;
          const lv = Math.log(g / nonEmpty);
          const gWithoutLast = hi === i ? g - cLast : g;
          b += gWithoutLast * lv;
          bAbs += Math.abs(gWithoutLast * lv);
          if (hi === i) logLast = lv;
          maxLog = Math.max(maxLog, Math.abs(lv));
        }
      }
      lo = hi;
    }
    const head = pre.count[i - 1]!; // mass of bins [0, i-1)
    const logQSum = Math.log(pre.count[i]!);
    const pLast = cLast + pre.tail[i]!;
    const logPLast = pLast > 0 ? Math.log(pLast) : 0;
    // D = sum_j p_j log(p_j / q_j), p_j = c_j / T, q_j = v_k / sum(Q); bin i-1 carries the tail.
    const inner = pre.cLogC[i - 1]! - b + head * (logQSum - logT);
    const last = pLast > 0 ? pLast * (logPLast - logT - logLast + logQSum) : 0;
    estimate[ci] = (inner + last) / total;
    // Error bound. Both this estimate and the reference's own sum are within a few ulps per
    // operation of the exact divergence: at most (bins + nbins + 64) roundings, each relative to a
    // magnitude no larger than `magnitude` (every partial sum and log term, divided by T), plus
    // one absolute ulp per log of a ratio near 1. Prefix sums of integer counts below 2^53 are
    // exact; with fractional counts every group total can be off by n ulps of T, which the second
    // part covers. The factor 64 leaves a wide margin; a loose bound only costs extra exact checks.
    maxLog = Math.max(maxLog, Math.abs(logPLast), Math.abs(logT), Math.abs(logQSum));
    const magnitude =
      (pre.cLogCAbs[i - 1]! + bAbs + head * (Math.abs(logQSum) + Math.abs(logT)) +
        pLast * (Math.abs(logPLast) + Math.abs(logT) + Math.abs(logLast) + Math.abs(logQSum))) / total + 1;
    let tol = 64 * EPS * (n + nbins + 64) * magnitude;
    if (!integral) tol += 64 * EPS * n * (nbins + 4) * (maxLog + 1);
    tolerance[ci] = tol;
    bestUpper = Math.min(bestUpper, estimate[ci]! + tol);
    anyFinite = true;
  }
  if (!anyFinite) {
    // Every divergence is infinite: the reference's "last minimum" is the last candidate.
    return { bin: startBin + (numCandidates - 1) * stride, exactChecks: 0 };
  }
  const scratch = divergenceScratch(n);
  let best = Infinity;
  let bestIndex = -1;
  let exactChecks = 0;
  for (let ci = 0; ci < numCandidates; ci++) {
    if (estimate[ci] === Infinity) continue;
    // Settled by the bounds (unless the counts are too extreme for them to hold).
    if (wellScaled && estimate[ci]! - tolerance[ci]! > bestUpper) continue;
    const i = startBin + ci * stride;
    const d = entropyDivergenceAt(bins, i, nbins, scratch);
    exactChecks++;
    if (d <= best) {
      best = d;
      bestIndex = i;
    }
  }
  return { bin: bestIndex, exactChecks };
}

