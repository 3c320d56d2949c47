// The MSE estimate for scaled E4M3: runs of bins share an E4M3 value, and boundaries are guessed
// from the midpoint to the next E4M3 value, then checked with core's own rounding.
import { E4M3_MAX, e4m3Round } from '@pq/core';
import { fullUpper, mseSetup, partialLower, runSum, type MseBounds } from './mse-bounds.js';

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

/** integerBounds (mse-bounds-int.ts) for scaled E4M3: runs of equal E4M3 values instead of integer levels. */
export function e4m3Bounds(
  c: Float32Array, w: Float32Array, startBin: number, stride: number, numCandidates: number,
): MseBounds {
  const n = c.length;
  const { prefix: p, p0, p1, p2, floor, c0, spacing } = mseSetup(c, w);
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
    lower[ci] = partialLower(sum, runs, mTot, sumAbs, n, floor);
    if (pruned) continue;
    upper[ci] = fullUpper(sum, runs, mTot, sumAbs, n, floor);
    bestUpper = Math.min(bestUpper, upper[ci]!);
  }
  return { lower, upper };
}
