// The MSE amax of a histogram: the bin center that, used as amax, minimises the count-weighted
// squared quantization error of all bin centers (the reference's `_compute_amax_mse`).
//
// The reference fake-quantizes every center for every candidate: O(bins^2). Here each candidate
// is first estimated in O(levels): centers are sorted, so the quantized value is constant over
// runs of consecutive bins, and a run's sum of w * (c - o)^2 comes from prefix sums of w, w*c and
// w*c^2 (mse-bounds*.ts). Candidates are visited from the largest amax down, and one whose
// clipping error (or the error of its first runs) already exceeds the best bound is dropped. Run boundaries come from the same float32 rounding the quantizer does, so
// the estimate differs from the reference's value by rounding only, within a proven bound. Every
// candidate whose lower bound is at most the smallest upper bound could be the reference's
// pick; those few are recomputed exactly (mse-exact.ts) and the first minimum wins, as in numpy.
import { checkNumBits, ndarray } from '@pq/core';
import { e4m3Bounds } from './mse-bounds-e4m3.js';
import { integerBounds } from './mse-bounds-int.js';
import { checkHistogram, checkNonEmpty, checkStrideStart } from './histogram-input.js';
import { binCenters, mseAt, type MseNumBits } from './mse-exact.js';

export interface MseOptions {
  numBits?: MseNumBits;
  unsigned?: boolean;
  stride?: number;
  startBin?: number;
}

const METHOD = 'mse';

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
  // The bounds assume float32 terms w * (q - c)^2 that cannot overflow; beyond that (absurd
  // counts or centers) every candidate is evaluated exactly.
  let wMax = 0;
  for (let j = 0; j < n; j++) wMax = Math.max(wMax, weights[j]!);
  const wellScaled = wMax * c[n - 1]! * c[n - 1]! < 2 ** 120;
  const { lower, upper } = !wellScaled
    ? { lower: new Float64Array(numCandidates).fill(-Infinity), upper: new Float64Array(numCandidates).fill(Infinity) }
    : typeof numBits === 'number'
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
