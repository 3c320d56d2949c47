// The percentile amax of a histogram (the reference's `_compute_amax_percentile`).
import { checkHistogram, checkNonEmpty } from './histogram-input.js';
import { pairwiseSum } from './numpy-sum.js';

const METHOD = 'percentile';

/** Throws unless 0 <= percentile <= 100. */
export function checkPercentile(percentile: number): void {
  if (typeof percentile !== 'number' || !(percentile >= 0 && percentile <= 100)) {
    throw new RangeError(`${METHOD}: percentile must be a number in [0, 100], got ${String(percentile)}`);
  }
}

/**
 * The edge below which `percentile` % of the counts lie: `edges[idx]` for the first `idx` with
 * `cumsum(counts / total)[idx] >= percentile / 100` (float64, summed in order), or the last
 * bin's right edge when rounding keeps every cdf value below it (as 100 usually does).
 */
export function computeAmaxPercentile(counts: ArrayLike<number>, edges: ArrayLike<number>, percentile: number): number {
  checkPercentile(percentile);
  const bins = checkHistogram(counts, edges, METHOD);
  const n = bins.length;
  const total = pairwiseSum(bins, 0, n);
  checkNonEmpty(total, METHOD);
  const target = percentile / 100;
  let cdf = 0;
  for (let idx = 0; idx < n; idx++) {
    cdf += bins[idx]! / total;
    if (cdf >= target) return Math.fround(edges[idx]!);
  }
  return Math.fround(edges[n]!);
}
