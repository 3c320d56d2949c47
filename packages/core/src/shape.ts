// Shape utilities shared by every op: sizes, strides, axis normalisation and numpy broadcasting.
import { describeValue, isNumberArray } from './options.js';

/** Number of elements of a shape (1 for a scalar `[]`). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C order) strides, in elements. */
export function shapeStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** Throws unless `shape` is a list of non-negative integers. */
export function checkShape(shape: readonly number[], what = 'shape'): void {
  if (!Array.isArray(shape)) throw new TypeError(`${what} must be an array of integers, got ${describeValue(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`${what} [${shape.join(', ')}] has an invalid dimension ${String(d)}`);
    }
  }
}

/**
 * A possibly negative axis as an index in `[0, rank)`; errors name the axis and the rank.
 * Like PyTorch, a scalar (rank 0) accepts axis 0 or -1.
 */
export function normalizeAxis(axis: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(axis) || axis < -r || axis >= r) {
    throw new RangeError(`axis ${String(axis)} is out of range for rank ${rank} (expected ${-r}..${r - 1})`);
  }
  return axis < 0 ? axis + r : axis;
}

/**
 * An `axis` option as given (before the rank is known): null, an integer, or a list (array or
 * typed array) of distinct integers, frozen. `who` prefixes the error.
 */
export function checkAxisOption(v: unknown, who: string): number | readonly number[] | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (isNumberArray(v) && Array.from(v).every(Number.isInteger)) {
    const axes = Array.from(v);
    const repeated = axes.find((a, i) => axes.indexOf(a) !== i);
    if (repeated !== undefined) throw new RangeError(`${who}: axis ${repeated} is repeated in ${formatShape(axes)}`);
    return Object.freeze(axes);
  }
  throw new TypeError(`${who}: axis must be an integer, a list of integers or null, got ${describeValue(v)}`);
}

/** Normalised, de-duplicated-checked, ascending list of axes. */
export function normalizeAxes(axes: number | readonly number[], rank: number): number[] {
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const out = list.map((a) => normalizeAxis(a, rank));
  const seen = new Set<number>();
  for (let i = 0; i < out.length; i++) {
    if (seen.has(out[i]!)) throw new RangeError(`axis ${String(list[i])} is repeated in [${list.join(', ')}]`);
    seen.add(out[i]!);
  }
  return out.sort((a, b) => a - b);
}

/**
 * `bShape` aligned to the rank of `xShape` (leading 1s prepended) when it broadcasts to `xShape`
 * with numpy rules without changing x's shape (each dimension 1 or equal). Throws otherwise.
 */
export function broadcastTo(bShape: readonly number[], xShape: readonly number[], what = 'amax'): number[] {
  const fail = (): never => {
    throw new RangeError(
      `${what} shape [${bShape.join(', ')}] does not broadcast to input shape [${xShape.join(', ')}]`,
    );
  };
  if (bShape.length > xShape.length) {
    // Extra leading dimensions are harmless only when they are all 1.
    const extra = bShape.slice(0, bShape.length - xShape.length);
    if (extra.some((d) => d !== 1)) fail();
    bShape = bShape.slice(bShape.length - xShape.length);
  }
  const aligned = new Array<number>(xShape.length - bShape.length).fill(1).concat(bShape);
  for (let i = 0; i < xShape.length; i++) {
    if (aligned[i] !== 1 && aligned[i] !== xShape[i]) fail();
  }
  return aligned;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
