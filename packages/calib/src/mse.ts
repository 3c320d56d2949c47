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
import { AMAX_EPSILON, checkNumBits, maxBound, ndarray, rint } from '@pq/core';
import { checkHistogram, checkNonEmpty, checkStrideStart } from './histogram-input.js';
import { binCenters, mseAt, type E4M3Quantizer, type MseNumBits } from './mse-exact.js';

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

/** Compensated (TwoSum) prefix sums: `hi[j] + lo[j]` is the sum of `t[0..j)` to ~2 ulps. */
class Prefix {
  readonly hi: Float64Array;
  readonly lo: Float64Array;
  constructor(n: number, term: (j: number) => number) {
    this.hi = new Float64Array(n + 1);
    this.lo = new Float64Array(n + 1);
    let hi = 0;
    let lo = 0;
    for (let j = 0; j < n; j++) {
      const t = term(j);
      const s = hi + t;
      const bp = s - hi;
      lo += hi - (s - bp) + (t - bp);
      hi = s;
      this.hi[j + 1] = hi;
      this.lo[j + 1] = lo;
    }
  }
  range(a: number, b: number): number {
    return this.hi[b]! - this.hi[a]! + (this.lo[b]! - this.lo[a]!);
  }
}

/**
 * The amax minimising the mean squared error of quantizing the histogram's bin centers:
 * `centers[i]` for `i` in `startBin, startBin + stride, ... < counts.length`, the first minimum.
 * numBits `[4, 3]` (E4M3) needs `e4m3`, the scaled-E4M3 fake quantizer.
 */
export function computeAmaxMse(
  counts: ArrayLike<number>, edges: ArrayLike<number>, o: MseOptions = {}, e4m3?: E4M3Quantizer,
): number {
  return mseSearch(counts, edges, o, e4m3).amax;
}

export interface MseSearch {
  amax: number;
  exactChecks: number;
}

export function mseSearch(
  counts: ArrayLike<number>, edges: ArrayLike<number>, o: MseOptions = {}, e4m3?: E4M3Quantizer,
): MseSearch {
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
  } else if (e4m3 === undefined) {
    throw new TypeError(`${METHOD}: numBits [4, 3] needs the scaled-E4M3 quantizer`);
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
    return mseAt(centers, weights, c[i]!, numBits, unsigned, e4m3);
  };
  const numCandidates = Math.floor((n - 1 - startBin) / stride) + 1;
  let lower: Float64Array;
  let upper: Float64Array;
  if (typeof numBits === 'number') {
    ({ lower, upper } = integerBounds(c, weights, numBits, unsigned, startBin, stride, numCandidates));
  } else {
    // E4M3 has no estimate: every candidate is evaluated exactly.
    lower = new Float64Array(numCandidates).fill(-Infinity);
    upper = new Float64Array(numCandidates).fill(Infinity);
  }
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

/**
 * Lower and upper bounds of every candidate's reference mse for an integer format, from runs
 * of equally quantized centers and prefix sums.
 */
function integerBounds(
  c: Float32Array, w: Float32Array, numBits: number, unsigned: boolean,
  startBin: number, stride: number, numCandidates: number,
): { lower: Float64Array; upper: Float64Array } {
  const n = c.length;
  const p0 = new Prefix(n, (j) => w[j]!);
  const p1 = new Prefix(n, (j) => w[j]! * c[j]!);
  const p2 = new Prefix(n, (j) => w[j]! * c[j]! * c[j]!);
  let wMax = 0;
  for (let j = 0; j < n; j++) wMax = Math.max(wMax, w[j]!);
  // Absolute slack for float32 results that land in the subnormal range.
  const floor = (1 + wMax) * 2 ** -120;
  const hiBound = maxBound(numBits, unsigned);
  // Centers are >= 0, so the lower clamp (0 or -maxBound) never binds.
  const spacing = n > 1 ? (c[n - 1]! - c[0]!) / (n - 1) : 0;
  const lower = new Float64Array(numCandidates);
  const upper = new Float64Array(numCandidates);
  for (let ci = 0; ci < numCandidates; ci++) {
    const amax = c[startBin + ci * stride]!;
    // core's quantScales: scale = fround(maxBound / amax); 0 (quantize) and 1 (divide) when tiny.
    const s = Math.fround(hiBound / amax);
    const sq = amax <= AMAX_EPSILON ? 0 : s;
    const so = amax <= AMAX_EPSILON ? 1 : s;
    // The integer level of center j, exactly as core's fake-quant loop computes it.
    const levelOf = (j: number): number => {
      const v = Math.fround(c[j]! * sq);
      return rint(v > hiBound ? hiBound : v);
    };
    let sum = 0;
    let sumAbs = 0;
    let spread = 0;
    let runs = 0;
    let a = 0;
    while (a < n) {
      const m = levelOf(a);
      let b = n;
      if (m < hiBound) {
        // First bin whose level exceeds m: guess from the threshold (m + 0.5) / scale, then step.
        b = spacing > 0 ? Math.ceil((((m + 0.5) / sq) - c[0]!) / spacing) : a + 1;
        if (!(b > a + 1)) b = a + 1;
        if (b > n) b = n;
        while (b > a + 1 && levelOf(b - 1) > m) b--;
        while (b < n && levelOf(b) <= m) b++;
      }
      const out = Math.fround(m / so);
      const s0 = p0.range(a, b);
      const s1 = p1.range(a, b);
      const s2 = p2.range(a, b);
      const run = s2 - 2 * out * s1 + out * out * s0;
      sum += run;
      sumAbs += Math.abs(run);
      spread +=
        p2.hi[a]! + p2.hi[b]! + 2 * Math.abs(out) * (p1.hi[a]! + p1.hi[b]!) + out * out * (p0.hi[a]! + p0.hi[b]!);
      runs++;
      a = b;
    }
    // Error of the estimate: each prefix entry is within ~2 ulps of its (non-negative) value and
    // each term within 2 ulps, so a run is within 8 ulps of `spread`'s share; adding the runs
    // costs (runs + 2) ulps of their absolute sum.
    const err = 8 * EPS * spread + (runs + 2) * EPS * sumAbs;
    lower[ci] = (Math.max(0, sum - err) / n) * (1 - F32_REL) - floor;
    upper[ci] = ((sum + err) / n) * (1 + F32_REL) + floor;
  }
  return { lower, upper };
}
