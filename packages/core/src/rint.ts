/**
 * Round half to even (C `rint`, torch.round), keeping the sign of zero and NaN.
 * `Math.round` rounds ties up; this moves a tie that landed on an odd integer down by one.
 * Exact for every float32 (and every double below 2^53).
 */
export function rint(v: number): number {
  const r = Math.round(v);
  // `r & 1` keeps parity for |r| < 2^53 (ToInt32 is modulo 2^32).
  return r - v === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}
