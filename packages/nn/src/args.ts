// Argument handling shared by F and the layers: expanding an int to one value per spatial dim
// (PyTorch's _pair/_triple), positive-int checks, and the names of the spatial dims in messages.
// (Option objects are checked by @pq/core's checkOptions; shapes print with its formatShape.)
import { describeValue } from '@pq/core';

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

/** A number argument (not NaN; infinities allowed), else a TypeError naming it and what was given. */
export function checkNumber(owner: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${owner}: ${name} must be a number, got ${describeValue(v)}`);
  return v;
}

export function checkPositiveInt(owner: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${owner}: ${name} must be a positive integer, got ${v}`);
  return v;
}

/** The spatial dims of a 1d/2d/3d input as PyTorch's docs name them: 'L', 'H, W', 'D, H, W'. */
export function spatialDimNames(spatialDims: number): string {
  return ['L', 'H, W', 'D, H, W'][spatialDims - 1] ?? `${spatialDims} spatial dims`;
}
