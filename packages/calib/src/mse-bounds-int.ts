// The MSE estimate for integer formats: a center's level is rint(clamp(fround(c * scale))), so
// runs of bins share a level and boundaries are found by comparing against level + 0.5.
import { AMAX_EPSILON, maxBound, rint } from '@pq/core';
import { fullUpper, mseSetup, partialLower, runSum, type MseBounds } from './mse-bounds.js';

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

/**
 * Lower and upper bounds of every candidate's reference mse for an integer format, from runs
 * of equally quantized centers and prefix sums. A candidate whose clipping error alone already
 * exceeds the best upper bound found so far is settled in O(1).
 */
export function integerBounds(
  c: Float32Array, w: Float32Array, numBits: number, unsigned: boolean,
  startBin: number, stride: number, numCandidates: number,
): MseBounds {
  const n = c.length;
  const { prefix: p, p0, p1, p2, floor, c0, spacing } = mseSetup(c, w);
  const hi = maxBound(numBits, unsigned);
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
    const clipLower = partialLower(clip, 1, mTot, Math.abs(clip), n, floor);
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
    lower[ci] = partialLower(sum, runs, mTot, sumAbs, n, floor);
    if (pruned) continue;
    upper[ci] = fullUpper(sum, runs, mTot, sumAbs, n, floor);
    bestUpper = Math.min(bestUpper, upper[ci]!);
  }
  return { lower, upper };
}

