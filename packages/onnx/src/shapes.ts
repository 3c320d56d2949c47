// Static shape rules the importer applies while it checks a graph (numpy broadcasting, axis
// normalisation, known products), on dimensions that may be symbolic or unknown.
import type { Dim } from './types.js';

/** numpy broadcasting of two static shapes (null when a rank is unknown); `fail` on a clash. */
export function broadcastDims(a: Dim[] | null, b: Dim[] | null, fail: (why: string) => never): Dim[] | null {
  if (a === null || b === null) return null;
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = i < rank - a.length ? 1 : a[i - (rank - a.length)]!;
    const y = i < rank - b.length ? 1 : b[i - (rank - b.length)]!;
    if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) fail(`shapes do not broadcast: dimension ${x} against ${y}`);
      out.push(x);
    } else out.push(x === y ? x : typeof x === 'number' ? x : typeof y === 'number' ? y : null);
  }
  return out;
}

/** numpy broadcasting of concrete shapes (run time); throws naming the shapes. */
export function broadcastShapes(a: readonly number[], b: readonly number[], what: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = i < rank - a.length ? 1 : a[i - (rank - a.length)]!;
    const y = i < rank - b.length ? 1 : b[i - (rank - b.length)]!;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`${what}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** `axis` in [0, rank); `fail` names it when out of range. */
export function normAxis(axis: number, rank: number, fail: (why: string) => never, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) fail(`${what} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** The product of dims, or null when one is not a known number. */
export function knownProduct(dims: readonly Dim[]): number | null {
  let n = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return null;
    n *= d;
  }
  return n;
}

/** Same static shape with every dimension unknown (the rank kept). */
export function unknownDims(rank: number): Dim[] {
  return Array.from({ length: rank }, () => null);
}
