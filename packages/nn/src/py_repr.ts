// Python's reprs of numbers, bools and tuples, so that module reprs read like PyTorch's and the
// reference's (`Dropout(p=0.5, inplace=False)`, `eps=1e-05`, `axis=(0,)`).

/** Python's repr of a bool. */
export function pyBool(v: boolean): string {
  return v ? 'True' : 'False';
}

/**
 * Python's `repr(float)`: the shortest digits that round-trip (as JavaScript's), in fixed
 * notation when the decimal exponent is in -5..15 and in scientific notation with an at least
 * two-digit exponent otherwise; `1.0`, `1e-05`, `1e+16`, `inf`, `nan`, `-0.0`.
 */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const sign = v < 0 || Object.is(v, -0) ? '-' : '';
  // toExponential() without an argument gives the shortest round-trip digits: d.ddde±x.
  const [mantissa, exp] = Math.abs(v).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${sign}${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  const point = e + 1;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Python's repr of an int tuple: (5, 5), (3,). */
export function pyTuple(v: readonly number[]): string {
  return v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`;
}

/** A value as the user gave it: a number as is, an array as a tuple. */
export function pyValue(v: number | readonly number[] | null | undefined): string {
  if (v === null || v === undefined) return 'None';
  return typeof v === 'number' ? String(v) : pyTuple(v);
}
