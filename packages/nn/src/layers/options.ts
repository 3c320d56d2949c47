// Shared argument handling for layers and F: refusing unknown option keys, expanding an int to
// one value per spatial dim (PyTorch's _pair/_triple), and PyTorch-style repr formatting.

/**
 * Throws when `options` has a key not in `allowed`, naming the owner, the key and the accepted
 * keys (a typo like `{ strides: 2 }` must not be silently ignored).
 */
export function checkOptions(owner: string, options: object | undefined, allowed: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${owner}: options must be an object, got ${JSON.stringify(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new Error(`${owner}: unknown option '${key}' (accepted: ${allowed.join(', ')})`);
    }
  }
}

/** `value` as `n` ints (a number repeats; an array must have n entries), each checked. */
export function nTuple(owner: string, name: string, value: number | readonly number[], n: number, min = 0): number[] {
  // A single-entry array repeats too, as PyTorch's _ntuple does for length-1 sequences.
  const one = typeof value === 'number' ? value : value.length === 1 ? value[0]! : null;
  const out = one !== null ? Array<number>(n).fill(one) : [...(value as readonly number[])];
  if (out.length !== n) {
    throw new Error(`${owner}: ${name} must be an int or ${n} ints, got ${JSON.stringify(value)}`);
  }
  for (const v of out) {
    if (!Number.isInteger(v) || v < min) {
      throw new Error(`${owner}: ${name} must be ${min > 0 ? 'positive' : 'non-negative'} integers, got ${JSON.stringify(value)}`);
    }
  }
  return out;
}

export function checkPositiveInt(owner: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${owner}: ${name} must be a positive integer, got ${v}`);
  return v;
}

/** Python's repr of a bool. */
export function pyBool(v: boolean): string {
  return v ? 'True' : 'False';
}

/** Python's repr of a float (1e-05, 0.1, 1.0). */
export function pyFloat(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    const [mant, exp] = v.toExponential().split('e');
    const e = Number(exp);
    return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return String(v);
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

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
