// Python-style number formatting for reprs that read like the reference's.

/** `str(float)` in Python: 1 -> '1.0', 0.5 -> '0.5'. */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return Number.isInteger(v) && Math.abs(v) < 1e16 ? v.toFixed(1) : String(v);
}

/** A Python tuple/int repr of an axis: 0 -> '0', [0, 1] -> '(0, 1)', [0] -> '(0,)'. */
export function pyAxis(axis: number | readonly number[]): string {
  if (typeof axis === 'number') return String(axis);
  return axis.length === 1 ? `(${axis[0]},)` : `(${axis.join(', ')})`;
}
