// histogram(|x|) as a tiled bin-index kernel plus host-side counting. A kernel cannot scatter,
// and the gather form (every bin scans every element) costs bins x elements; so the device
// computes each element's bin with torch.histc's float32 formula and the host adds them up.
// The range rules (max == 0 falls back to the data's range, then to [min - 1, max + 1]) are
// @pq/core's histc, applied to the same |x| values.

import { checkHistogramArgs, type HistogramOptions, type NDArray } from '@pq/core';
import { histogramBinSource, histogramSearchSource } from '../kernel-source.js';
import { nonFiniteIndices } from './specials.js';
import { stepKey, type Plan, type PlanContext } from './step.js';

export function* histogramPlan(
  x: NDArray, numBins: number, max: number, o: HistogramOptions | undefined, ctx: PlanContext,
): Plan<Float64Array> {
  const { tile } = ctx;
  const { skipZeros } = checkHistogramArgs(x, numBins, max, o);
  const { left, right } = histRange(x.data, Math.fround(max), skipZeros);
  const width = Math.fround(right - left);
  const counts = new Float64Array(numBins);
  // GPUs: no division in the kernel, a binary search over exact thresholds instead
  const thresholds = ctx.divisionFree ? binThresholds(width, numBins) : null;
  const source = thresholds ? histogramSearchSource(skipZeros, numBins) : histogramBinSource(skipZeros);
  const name = `hist-${thresholds ? 'search' : 'div'}-${skipZeros ? 'nz' : 'all'}`;
  const n = x.data.length;
  for (let t0 = 0; t0 < n; t0 += tile) {
    const xt = x.data.subarray(t0, Math.min(n, t0 + tile));
    const args = [xt, left, right, thresholds ?? width, numBins];
    const bins = yield { key: stepKey(name, xt.length, args), source, output: xt.length, args };
    // NaN and ±Infinity lie outside the (finite) range: no bin
    const specials = ctx.hostSpecials ? nonFiniteIndices(xt) : null;
    if (specials) for (const i of specials) bins[i] = -1;
    for (let i = 0; i < bins.length; i++) {
      const b = bins[i]!;
      if (b >= 0) counts[b]!++;
    }
  }
  return counts;
}

/** histc's range for |x| over [0, max]: the data's own range when max is 0, widened by 1 if empty. */
function histRange(x: Float32Array, max: number, skipZeros: boolean): { left: number; right: number } {
  let left = 0;
  let right = max;
  if (left === right) {
    let lo = Infinity;
    let hi = -Infinity;
    let any = false;
    for (let i = 0; i < x.length; i++) {
      const v = Math.abs(x[i]!);
      if (skipZeros && v === 0) continue;
      any = true;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (any) {
      left = lo;
      right = hi;
    }
  }
  if (left === right) {
    left = Math.fround(left - 1);
    right = Math.fround(right + 1);
  }
  if (!Number.isFinite(left) || !Number.isFinite(right)) {
    throw new RangeError(`histogram range [${left}, ${right}] is not finite`);
  }
  return { left, right };
}

/**
 * `thr[k]`: the smallest float32 `a` with `fround(a / width) >= k` (k = 1..bins-1; Infinity
 * when none is finite), so that histc's `trunc(fround(a / width))` is the number of thresholds
 * at or below `a`. Starts from `k * width` and steps by ulps; the quotient is monotonic in a.
 */
export function binThresholds(width: number, bins: number): Float32Array {
  const thr = new Float32Array(Math.max(bins, 1));
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  const step = (a: number, up: boolean): number => {
    f[0] = a;
    if (a === 0) return up ? 2 ** -149 : 0;
    u[0]! += up ? 1 : -1;
    return f[0]!;
  };
  const reaches = (a: number, k: number) => Math.fround(a / width) >= k;
  for (let k = 1; k < bins; k++) {
    let a = Math.fround(k * width);
    if (!Number.isFinite(a)) a = 3.4028234663852886e38;
    if (!reaches(a, k)) {
      while (Number.isFinite(a) && !reaches(a, k)) a = step(a, true);
      thr[k] = a;
      continue;
    }
    while (a > 0 && reaches(step(a, false), k)) a = step(a, false);
    thr[k] = a;
  }
  return thr;
}
