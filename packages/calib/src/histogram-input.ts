// Checks shared by the three amax methods: a histogram of |x| is non-negative counts over
// non-decreasing, finite, non-negative edges, with at least one more edge than counts (the
// reference's growth step can leave one extra edge; it is ignored).

/** The counts as float64 after checking `counts` and `edges`; errors name the method. */
export function checkHistogram(counts: ArrayLike<number>, edges: ArrayLike<number>, method: string): Float64Array {
  const n = counts.length;
  if (n < 1) throw new RangeError(`${method}: the histogram has no bins`);
  if (edges.length < n + 1) {
    throw new RangeError(`${method}: ${n} bins need at least ${n + 1} edges, got ${edges.length}`);
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = counts[i]!;
    if (!(c >= 0) || c === Infinity) {
      throw new RangeError(`${method}: counts[${i}] is ${String(c)}; counts must be finite and >= 0`);
    }
    out[i] = c;
  }
  let prev = 0;
  for (let i = 0; i <= n; i++) {
    const e = edges[i]!;
    if (!Number.isFinite(e) || e < prev) {
      const rule = i === 0 ? 'must be finite and >= 0' : `must be finite and >= edges[${i - 1}] (${prev})`;
      throw new RangeError(`${method}: edges[${i}] is ${String(e)}; edges ${rule}`);
    }
    prev = e;
  }
  return out;
}

/** The total count; an empty histogram has no amax to choose. */
export function checkNonEmpty(total: number, method: string): void {
  if (!(total > 0)) throw new RangeError(`${method}: the histogram is empty (all counts are 0)`);
  if (total === Infinity) throw new RangeError(`${method}: the counts sum to more than float64 holds`);
}

/** `stride` (>= 1) and `startBin` (>= `minStart`) as integers. */
export function checkStrideStart(stride: number, startBin: number, minStart: number, method: string): void {
  if (!Number.isInteger(stride) || stride < 1) {
    throw new RangeError(`${method}: stride must be an integer >= 1, got ${String(stride)}`);
  }
  if (!Number.isInteger(startBin) || startBin < minStart) {
    throw new RangeError(`${method}: startBin must be an integer >= ${minStart}, got ${String(startBin)}`);
  }
}
