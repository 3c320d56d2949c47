// The MSE amax of a histogram: the bin center that, used as amax, minimises the count-weighted
// squared quantization error of all bin centers (the reference's `_compute_amax_mse`).
//
// The reference fake-quantizes every center for every candidate: O(bins^2). Here each candidate
// is first estimated in O(levels): centers are sorted, so the quantized value is constant over
// runs of consecutive bins, and a run's sum of w * (c - o)^2 comes from prefix sums of w, w*c and
// w*c^2. Run boundaries come from the same float32 rounding the quantizer does (`levelOf`), so
// the estimate differs from the reference's value by rounding only, within a proven bound. Every
// candidate whose lower bound is at most the smallest upper bound could be the reference's
// pick; those few are recomputed exactly (mse-exact.ts) and the first minimum wins, as in numpy.
import { AMAX_EPSILON, E4M3_MAX, checkNumBits, e4m3Round, maxBound, ndarray, rint } from '@pq/core';
import { checkHistogram, checkNonEmpty, checkStrideStart } from './histogram-input.js';
import { binCenters, mseAt, type MseNumBits } from './mse-exact.js';

export interface MseOptions {
  numBits?: MseNumBits;
  unsigned?: boolean;
  stride?: number;
  startBin?: number;
}

const METHOD = 'mse';
const EPS = 2 ** -53; // unit roundoff of float64
// The reference's per-bin float32 roundings (difference, square, product, mean) move its mse by
// at most 5 * 2^-24 relative; 2^-20 covers that and the float64 sum with a wide margin.
const F32_REL = 2 ** -20;

/**
 * Compensated (TwoSum) prefix sums of `w`, `w*c` and `w*c^2`, interleaved per bin as
 * [hi0, lo0, hi1, lo1, hi2, lo2]: `hi + lo` is each sum of bins [0, j) to about 2 ulps.
 */
function momentPrefix(c: Float32Array, w: Float32Array): Float64Array {
  const n = c.length;
  const p = new Float64Array(6 * (n + 1));
  const hi = [0, 0, 0];
  const lo = [0, 0, 0];
  for (let j = 0; j < n; j++) {
    const wc = w[j]! * c[j]!;
    const terms = [w[j]!, wc, wc * c[j]!];
    for (let k = 0; k < 3; k++) {
      const t = terms[k]!;
      const h = hi[k]!;
      const sum = h + t;
      const bp = sum - h;
      lo[k] = lo[k]! + (h - (sum - bp) + (t - bp));
      hi[k] = sum;
      p[6 * (j + 1) + 2 * k] = sum;
      p[6 * (j + 1) + 2 * k + 1] = lo[k]!;
    }
  }
  return p;
}

/**
 * The amax minimising the mean squared error of quantizing the histogram's bin centers:
 * `centers[i]` for `i` in `startBin, startBin + stride, ... < counts.length`, the first minimum
 * (a float32 value, as the reference returns). numBits `[4, 3]` quantizes with scaled E4M3.
 */
export function computeAmaxMse(counts: ArrayLike<number>, edges: ArrayLike<number>, o: MseOptions = {}): number {
  return mseSearch(counts, edges, o).amax;
}

export interface MseSearch {
  amax: number;
  exactChecks: number;
}

export function mseSearch(counts: ArrayLike<number>, edges: ArrayLike<number>, o: MseOptions = {}): MseSearch {
  const numBits = o.numBits ?? 8;
  const unsigned = o.unsigned ?? false;
  const stride = o.stride ?? 1;
  const startBin = o.startBin ?? 128;
  const isE4M3 = Array.isArray(numBits) && numBits.length === 2 && numBits[0] === 4 && numBits[1] === 3;
  if (!isE4M3) {
    if (typeof numBits !== 'number') {
      throw new TypeError(`${METHOD}: numBits must be an integer or [4, 3] (E4M3), got ${JSON.stringify(numBits)}`);
    }
    checkNumBits(numBits, unsigned);
  }
  checkStrideStart(stride, startBin, 0, METHOD);
  const raw = checkHistogram(counts, edges, METHOD);
  const n = raw.length;
  if (startBin >= n) throw new RangeError(`${METHOD}: startBin ${startBin} is beyond the histogram's ${n} bins`);
  // torch: counts.float(), centers from float32 edges.
  const weights = Float32Array.from(raw);
  let total = 0;
  for (let j = 0; j < n; j++) total += weights[j]!;
  checkNonEmpty(total, METHOD);
  const centers = ndarray(binCenters(edges, n));
  const c = centers.data;

  let exactChecks = 0;
  const exact = (i: number): number => {
    exactChecks++;
    return mseAt(centers, weights, c[i]!, numBits, unsigned);
  };
  const numCandidates = Math.floor((n - 1 - startBin) / stride) + 1;
  const { lower, upper } =
    typeof numBits === 'number'
      ? integerBounds(c, weights, numBits, unsigned, startBin, stride, numCandidates)
      : e4m3Bounds(c, weights, startBin, stride, numCandidates);
  let bestUpper = Infinity;
  for (let ci = 0; ci < numCandidates; ci++) bestUpper = Math.min(bestUpper, upper[ci]!);
  let best = Infinity;
  let bestIndex = -1;
  for (let ci = 0; ci < numCandidates; ci++) {
    if (lower[ci]! > bestUpper) continue;
    const i = startBin + ci * stride;
    const m = exact(i);
    if (m < best || bestIndex < 0) {
      best = m;
      bestIndex = i;
    }
  }
  return { amax: c[bestIndex]!, exactChecks };
}

/** Whether center j's level exceeds m (< maxBound): rint(clamp(fround(c * sq))) > m, as core rounds. */
function above(c: Float32Array, j: number, sq: number, m: number): boolean {
  const v = Math.fround(c[j]! * sq);
  return v > m + 0.5 || (v === m + 0.5 && (m & 1) === 1);
}

/** The first bin in [from, to] whose level exceeds m (to when none): a guess from even spacing, then steps. */
function firstAbove(c: Float32Array, sq: number, m: number, from: number, to: number, c0: number, spacing: number): number {
  let b = spacing > 0 ? Math.ceil(((m + 0.5) / sq - c0) / spacing) : from;
  if (!(b >= from)) b = from;
  if (b > to) b = to;
  while (b > from && above(c, b - 1, sq, m)) b--;
  while (b < to && !above(c, b, sq, m)) b++;
  return b;
}

/** The sum over bins [a, b) of w * (c - o)^2 from the interleaved prefix sums. */
function runSum(p: Float64Array, a: number, b: number, o: number): number {
  const ia = 6 * a;
  const ib = 6 * b;
  const s0 = p[ib]! - p[ia]! + (p[ib + 1]! - p[ia + 1]!);
  const s1 = p[ib + 2]! - p[ia + 2]! + (p[ib + 3]! - p[ia + 3]!);
  const s2 = p[ib + 4]! - p[ia + 4]! + (p[ib + 5]! - p[ia + 5]!);
  return s2 - 2 * o * s1 + o * o * s0;
}

/**
 * A lower bound of the reference's mse from the first `runs` runs (the rest are >= 0). Error of
 * the estimate: prefix entries are within ~2 ulps of their non-negative values (at most the
 * totals), each run's formula adds a few ulps of the same magnitudes, so each run is within 16
 * ulps of `mTot`; adding the runs costs (runs + 2) ulps of their absolute sum.
 */
function partialLower(sum: number, runs: number, mTot: number, sumAbs: number, n: number, floor: number): number {
  const err = 16 * EPS * runs * mTot + (runs + 2) * EPS * sumAbs;
  return (Math.max(0, sum - err) / n) * (1 - F32_REL) - floor;
}

/**
 * Lower and upper bounds of every candidate's reference mse for an integer format, from runs
 * of equally quantized centers and prefix sums. A candidate whose clipping error alone already
 * exceeds the best upper bound found so far is settled in O(1).
 */
function integerBounds(
  c: Float32Array, w: Float32Array, numBits: number, unsigned: boolean,
  startBin: number, stride: number, numCandidates: number,
): { lower: Float64Array; upper: Float64Array } {
  const n = c.length;
  const p = momentPrefix(c, w);
  const p0 = p[6 * n]!;
  const p1 = p[6 * n + 2]!;
  const p2 = p[6 * n + 4]!;
  let wMax = 0;
  for (let j = 0; j < n; j++) wMax = Math.max(wMax, w[j]!);
  // Absolute slack for float32 results that land in the subnormal range.
  const floor = (1 + wMax) * 2 ** -120;
  const hi = maxBound(numBits, unsigned);
  const c0 = c[0]!;
  // Centers are sorted and usually evenly spaced: boundaries are guessed from it, then checked.
  const spacing = n > 1 ? (c[n - 1]! - c0) / (n - 1) : 0;
  const lower = new Float64Array(numCandidates);
  const upper = new Float64Array(numCandidates).fill(Infinity);
  let bestUpper = Infinity;
  // Largest amax first: those candidates bound the answer well, so that the small-amax ones,
  // whose clipping error is large, are settled by their clipping error alone.
  for (let ci = numCandidates - 1; ci >= 0; ci--) {
    const amax = c[startBin + ci * stride]!;
    // core's quantScales: scale = fround(maxBound / amax); 0 (quantize) and 1 (divide) when tiny.
    const s = Math.fround(hi / amax);
    const sq = amax <= AMAX_EPSILON ? 0 : s;
    const so = amax <= AMAX_EPSILON ? 1 : s;
    const oMax = Math.fround(hi / so);
    const mTot = p2 + 2 * oMax * p1 + oMax * oMax * p0;
    // Clipped bins (level hi) form the last run.
    const clipStart = firstAbove(c, sq, hi - 1, 0, n, c0, spacing);
    const clip = clipStart < n ? runSum(p, clipStart, n, oMax) : 0;
    const clipLower = (Math.max(0, clip - 16 * EPS * mTot) / n) * (1 - F32_REL) - floor;
    if (clipLower > bestUpper) {
      lower[ci] = clipLower;
      continue;
    }
    let sum = clip;
    let sumAbs = Math.abs(clip);
    let runs = 1;
    let a = 0;
    let pruned = false;
    while (a < clipStart) {
      const v = Math.fround(c[a]! * sq);
      const m = rint(v > hi ? hi : v);
      const b = firstAbove(c, sq, m, a + 1, clipStart, c0, spacing);
      const run = runSum(p, a, b, Math.fround(m / so));
      sum += run;
      sumAbs += Math.abs(run);
      runs++;
      a = b;
      // Every run adds a non-negative amount: once the runs so far exceed the best upper bound
      // the rest cannot bring this candidate back.
      if ((runs & 15) === 0 && partialLower(sum, runs, mTot, sumAbs, n, floor) > bestUpper) {
        pruned = true;
        break;
      }
    }
    if (pruned) {
      lower[ci] = partialLower(sum, runs, mTot, sumAbs, n, floor);
      continue;
    }
    // Error of the estimate: prefix entries are within ~2 ulps of their non-negative values
    // (at most the totals), each run's formula adds a few ulps of the same magnitudes, so each
    // run is within 16 ulps of mTot; adding the runs costs (runs + 2) ulps of their sum.
    const err = 16 * EPS * runs * mTot + (runs + 2) * EPS * sumAbs;
    lower[ci] = (Math.max(0, sum - err) / n) * (1 - F32_REL) - floor;
    upper[ci] = ((sum + err) / n) * (1 + F32_REL) + floor;
    bestUpper = Math.min(bestUpper, upper[ci]!);
  }
  return { lower, upper };
}

// Inputs below 2^-24 quantize to exactly 0 in scaled E4M3.
const E4M3_TINY = 2 ** -24;
// The E4M3 value just below the largest, 448.
const E4M3_BELOW_MAX = 416;

/** The E4M3 value of center j scaled by `scale`, as core's scaledE4M3 computes it. */
function e4m3Level(c: Float32Array, j: number, scale: number): number {
  const v = c[j]!;
  return v < E4M3_TINY ? 0 : e4m3Round(Math.fround(v * scale));
}

/** The first bin in [from, to] whose E4M3 value exceeds `level`: a guess from the midpoint to the next value, then steps. */
function firstAboveE4M3(c: Float32Array, scale: number, level: number, from: number, to: number, c0: number, spacing: number): number {
  // Next E4M3 value: one ulp up; the grid is 2^(e - 3) in binade e, subnormal below 2^-6.
  const ulp = level > 0 ? 2 ** (Math.max(Math.floor(Math.log2(level)), -6) - 3) : 2 ** -9;
  let b = spacing > 0 ? Math.ceil(((level + ulp / 2) / scale - c0) / spacing) : from;
  if (!(b >= from)) b = from;
  if (b > to) b = to;
  while (b > from && e4m3Level(c, b - 1, scale) > level) b--;
  while (b < to && e4m3Level(c, b, scale) <= level) b++;
  return b;
}

/** integerBounds for scaled E4M3: runs of equal E4M3 values instead of integer levels. */
function e4m3Bounds(
  c: Float32Array, w: Float32Array, startBin: number, stride: number, numCandidates: number,
): { lower: Float64Array; upper: Float64Array } {
  const n = c.length;
  const p = momentPrefix(c, w);
  const p0 = p[6 * n]!;
  const p1 = p[6 * n + 2]!;
  const p2 = p[6 * n + 4]!;
  let wMax = 0;
  for (let j = 0; j < n; j++) wMax = Math.max(wMax, w[j]!);
  const floor = (1 + wMax) * 2 ** -120;
  const c0 = c[0]!;
  const spacing = n > 1 ? (c[n - 1]! - c0) / (n - 1) : 0;
  const lower = new Float64Array(numCandidates).fill(-Infinity);
  const upper = new Float64Array(numCandidates).fill(Infinity);
  let bestUpper = Infinity;
  // Largest amax first, settling candidates by their clipping error when it suffices (as above).
  for (let ci = numCandidates - 1; ci >= 0; ci--) {
    const amax = c[startBin + ci * stride]!;
    const scale = Math.fround(E4M3_MAX / amax);
    // amax 0 (an error in core) or a scale that overflows: left to the exact evaluation.
    if (!(amax > 0) || !Number.isFinite(scale)) continue;
    const oMax = Math.fround(E4M3_MAX / scale);
    const mTot = p2 + 2 * oMax * p1 + oMax * oMax * p0;
    // Saturated bins (value 448, the one above 416) form the last run.
    const clipStart = firstAboveE4M3(c, scale, E4M3_BELOW_MAX, 0, n, c0, spacing);
    const clip = clipStart < n ? runSum(p, clipStart, n, oMax) : 0;
    const clipLower = (Math.max(0, clip - 16 * EPS * mTot) / n) * (1 - F32_REL) - floor;
    if (clipLower > bestUpper) {
      lower[ci] = clipLower;
      continue;
    }
    let sum = clip;
    let sumAbs = Math.abs(clip);
    let runs = 1;
    let a = 0;
    let pruned = false;
    while (a < clipStart) {
      const level = e4m3Level(c, a, scale);
      const b = firstAboveE4M3(c, scale, level, a + 1, clipStart, c0, spacing);
      const run = runSum(p, a, b, Math.fround(level / scale));
      sum += run;
      sumAbs += Math.abs(run);
      runs++;
      a = b;
      if ((runs & 15) === 0 && partialLower(sum, runs, mTot, sumAbs, n, floor) > bestUpper) {
        pruned = true;
        break;
      }
    }
    if (pruned) {
      lower[ci] = partialLower(sum, runs, mTot, sumAbs, n, floor);
      continue;
    }
    const err = 16 * EPS * runs * mTot + (runs + 2) * EPS * sumAbs;
    lower[ci] = (Math.max(0, sum - err) / n) * (1 - F32_REL) - floor;
    upper[ci] = ((sum + err) / n) * (1 + F32_REL) + floor;
    bestUpper = Math.min(bestUpper, upper[ci]!);
  }
  return { lower, upper };
}
