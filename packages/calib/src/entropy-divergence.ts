// One candidate of the entropy method, computed with exactly the float operations of the
// reference (numpy + scipy.stats.entropy): the fast search in entropy.ts only uses this to settle
// the few candidates whose divergences it cannot tell apart, so both give the reference's pick.
import { pairwiseSum } from './numpy-sum.js';

/** Reusable buffers of at least `bins.length` entries. */
export interface DivergenceScratch {
  p: Float64Array;
  q: Float64Array;
  terms: Float64Array;
}

export function divergenceScratch(n: number): DivergenceScratch {
  return { p: new Float64Array(n), q: new Float64Array(n), terms: new Float64Array(n) };
}

/** scipy.special.rel_entr(x, y). */
export function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/**
 * KL divergence of candidate `i` (the first `i` bins) for the entropy method: reference P is
 * `bins[:i]` with `sum(bins[i:])` added to its last bin; candidate Q spreads each of `nbins`
 * groups' total evenly over its non-empty bins; `scipy.stats.entropy(P, Q)`.
 * `bins` already has `bins[0] = bins[1]` applied.
 */
export function entropyDivergenceAt(bins: Float64Array, i: number, nbins: number, s: DivergenceScratch): number {
  const { p, q, terms } = s;
  // Group k holds the bins j with k*i/nbins <= j < (k+1)*i/nbins (np.digitize over
  // np.linspace(0, i, nbins + 1), whose points k*(i/nbins) are exact: nbins is a power of two).
  let lo = 0;
  for (let k = 0; k < nbins; k++) {
    const hi = Math.ceil(((k + 1) * i) / nbins);
    let sum = 0;
    let nonEmpty = 0;
    for (let j = lo; j < hi; j++) {
      const c = bins[j]!;
      if (c !== 0) {
        sum += c;
        nonEmpty++;
      }
    }
    const share = nonEmpty > 0 ? sum / nonEmpty : 0;
    for (let j = lo; j < hi; j++) q[j] = bins[j] !== 0 ? share : 0;
    lo = hi;
  }
  for (let j = 0; j < i; j++) p[j] = bins[j]!;
  p[i - 1] = p[i - 1]! + pairwiseSum(bins, i, bins.length - i);
  const sumP = pairwiseSum(p, 0, i);
  const sumQ = pairwiseSum(q, 0, i);
  for (let j = 0; j < i; j++) terms[j] = relEntr(p[j]! / sumP, q[j]! / sumQ);
  return pairwiseSum(terms, 0, i);
}
