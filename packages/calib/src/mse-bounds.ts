// What the two MSE estimates (integer and E4M3 formats) share: prefix sums of the moments of
// the weighted centers, a run's squared error from them, and the error bounds that turn an
// estimate into a lower and upper bound of the reference's float32 mse.

/** Unit roundoff of float64. */
export const EPS = 2 ** -53;
// The reference's per-bin float32 roundings (difference, square, product, mean) move its mse by
// at most 5 * 2^-24 relative; 2^-20 covers that and the float64 sum with a wide margin.
export const F32_REL = 2 ** -20;

/** Lower and upper bounds of each candidate's reference mse (candidate k is bin startBin + k * stride). */
export interface MseBounds {
  lower: Float64Array;
  upper: Float64Array;
}

/** What every candidate's estimate reads. */
export interface MseSetup {
  /** Interleaved compensated prefix sums (see momentPrefix). */
  prefix: Float64Array;
  /** Totals of w, w*c and w*c^2. */
  p0: number;
  p1: number;
  p2: number;
  /** Absolute slack for float32 results that land in the subnormal range. */
  floor: number;
  /** First center and the mean spacing: run boundaries are guessed from them, then checked. */
  c0: number;
  spacing: number;
}

export function mseSetup(c: Float32Array, w: Float32Array): MseSetup {
  const n = c.length;
  const prefix = momentPrefix(c, w);
  let wMax = 0;
  for (let j = 0; j < n; j++) wMax = Math.max(wMax, w[j]!);
  return {
    prefix,
    p0: prefix[6 * n]!,
    p1: prefix[6 * n + 2]!,
    p2: prefix[6 * n + 4]!,
    floor: (1 + wMax) * 2 ** -120,
    c0: c[0]!,
    spacing: n > 1 ? (c[n - 1]! - c[0]!) / (n - 1) : 0,
  };
}

/**
 * Compensated (TwoSum) prefix sums of `w`, `w*c` and `w*c^2`, interleaved per bin as
 * [hi0, lo0, hi1, lo1, hi2, lo2]: `hi + lo` is each sum of bins [0, j) to about 2 ulps.
 */
export function momentPrefix(c: Float32Array, w: Float32Array): Float64Array {
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

/** The sum over bins [a, b) of w * (c - o)^2 from the interleaved prefix sums. */
export function runSum(p: Float64Array, a: number, b: number, o: number): number {
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
export function partialLower(sum: number, runs: number, mTot: number, sumAbs: number, n: number, floor: number): number {
  return (Math.max(0, sum - runError(runs, mTot, sumAbs)) / n) * (1 - F32_REL) - floor;
}

/** The upper bound matching partialLower once every run is in. */
export function fullUpper(sum: number, runs: number, mTot: number, sumAbs: number, n: number, floor: number): number {
  return ((sum + runError(runs, mTot, sumAbs)) / n) * (1 + F32_REL) + floor;
}

function runError(runs: number, mTot: number, sumAbs: number): number {
  return 16 * EPS * runs * mTot + (runs + 2) * EPS * sumAbs;
}

