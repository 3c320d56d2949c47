// Block-wise quantization layout: `blockSizes` maps axes to block lengths (`{ [-1]: 128 }`: one
// amax per 128 consecutive elements of the last axis; `null`: the whole axis). Axes not listed
// keep one amax per index. The amax has x's rank with each axis of length
// `ceil(shape[i] / size[i])`; a last partial block is allowed and uses its own elements.
// The walk visits x in memory order one row (last axis) at a time, merging rows into one run
// when their blocks tile x continuously, so the hot loops see long runs.

import { describeValue } from './options.js';
import { formatShape, normalizeAxis, shapeSize, shapeStrides } from './shape.js';

/** Block lengths by axis (negative axes count from the end); `null` = the whole axis. */
export type BlockSizes = Readonly<Record<number, number | null>>;

export interface BlockLayout {
  /** x's shape. */
  readonly shape: readonly number[];
  /** The block length along each axis (1 where the axis is not blocked, at most its length). */
  readonly sizes: readonly number[];
  /** The amax shape: `ceil(shape[i] / sizes[i])` on each axis. */
  readonly amaxShape: readonly number[];
}

/**
 * Resolves `blockSizes` against x's shape. Errors name the offending key or value: keys must
 * be integer axes in range (each axis once), values positive integers or null.
 */
export function blockLayout(xShape: readonly number[], blockSizes: BlockSizes, what = 'blockSizes'): BlockLayout {
  if (blockSizes === null || typeof blockSizes !== 'object' || Array.isArray(blockSizes)) {
    throw new TypeError(`${what} must be an object mapping axes to block sizes (e.g. { [-1]: 128 }), got ${describeValue(blockSizes)}`);
  }
  const rank = xShape.length;
  const keys = Object.keys(blockSizes);
  if (keys.length === 0) throw new RangeError(`${what} names no axis (e.g. { [-1]: 128 })`);
  if (rank === 0) throw new RangeError(`${what}: block quantization needs an input of rank >= 1, got shape []`);
  const sizes = new Array<number>(rank).fill(1);
  const seen = new Map<number, string>();
  for (const key of keys) {
    if (!/^-?\d+$/.test(key)) throw new TypeError(`${what}: key '${key}' is not an axis (keys are integers such as -1)`);
    const axis = normalizeAxis(Number(key), rank);
    const other = seen.get(axis);
    if (other !== undefined) throw new RangeError(`${what}: keys ${other} and ${key} are the same axis of an input of rank ${rank}`);
    seen.set(axis, key);
    const v = (blockSizes as Record<string, unknown>)[key];
    const n = xShape[axis]!;
    if (v === null) sizes[axis] = Math.max(n, 1);
    else if (typeof v === 'number' && Number.isInteger(v) && v > 0) sizes[axis] = Math.max(Math.min(v, n), 1);
    else throw new RangeError(`${what}: block size of axis ${key} must be a positive integer or null, got ${describeValue(v)}`);
  }
  const amaxShape = xShape.map((n, i) => Math.ceil(n / sizes[i]!));
  return { shape: [...xShape], sizes, amaxShape };
}

/** The amax shape of block-wise quantization of `xShape` (see blockLayout). */
export function blockAmaxShape(xShape: readonly number[], blockSizes: BlockSizes): number[] {
  return [...blockLayout(xShape, blockSizes).amaxShape];
}

/** Throws unless `amaxShape` is the layout's amax shape. */
export function checkBlockAmaxShape(layout: BlockLayout, amaxShape: readonly number[], what = 'amax'): void {
  const want = layout.amaxShape;
  if (amaxShape.length !== want.length || amaxShape.some((d, i) => d !== want[i])) {
    throw new RangeError(
      `${what} shape ${formatShape(amaxShape)} does not match the blocks of input shape ${formatShape(layout.shape)} ` +
        `(block sizes ${formatShape(layout.sizes)} need amax shape ${formatShape(want)})`,
    );
  }
}

/**
 * `blocks(xStart, len, blockLen, aStart)`: x[xStart, xStart + len) is consecutive blocks of
 * blockLen elements (the last one possibly shorter), block k using amax[aStart + k].
 */
export type BlockRunFn = (xStart: number, len: number, blockLen: number, aStart: number) => void;
/** `vector(xStart, len, aStart)`: element xStart + j uses amax[aStart + j] (last axis not blocked). */
export type VectorRunFn = (xStart: number, len: number, aStart: number) => void;

/** Walks x in memory order, one call per row (or one for all rows when they tile continuously). */
export function forEachBlockRow(layout: BlockLayout, blocks: BlockRunFn, vector: VectorRunFn): void {
  const { shape, sizes, amaxShape } = layout;
  const total = shapeSize(shape);
  if (total === 0) return;
  const rank = shape.length;
  const rowLen = shape[rank - 1]!;
  const b = sizes[rank - 1]!;
  const isVector = b === 1 && rowLen > 1;
  const outerBlocked = sizes.slice(0, -1).some((s) => s > 1);
  // Unblocked outer axes give each row its own amax row, in order: when the rows also split
  // into whole blocks (or the last axis is not blocked), x is one continuous run.
  if (!outerBlocked && (isVector || rowLen % b === 0)) {
    if (isVector) vector(0, total, 0);
    else blocks(0, total, b, 0);
    return;
  }
  const aStrides = shapeStrides(amaxShape);
  const depth = rank - 1;
  const idx = new Array<number>(depth).fill(0);
  const rows = total / rowLen;
  let aRow = 0;
  for (let r = 0; r < rows; r++) {
    if (isVector) vector(r * rowLen, rowLen, aRow);
    else blocks(r * rowLen, rowLen, b, aRow);
    // Odometer over the outer axes; the amax row moves when an index enters a new block.
    for (let d = depth - 1; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < shape[d]!) {
        if (idx[d]! % sizes[d]! === 0) aRow += aStrides[d]!;
        break;
      }
      aRow -= (amaxShape[d]! - 1) * aStrides[d]!;
      idx[d] = 0;
    }
  }
}

/**
 * ModelOpt's `block_sizes` option: axes to block lengths, plus `type`: 'static' (the default;
 * the amax comes from calibration) or 'dynamic' (each batch's own block amax).
 */
export type BlockSizesOption = BlockSizes & { readonly type?: 'static' | 'dynamic' };

/**
 * Checks a blockSizes option without an input shape (axis ranges are checked at the first
 * forward): integer keys with positive-integer or null values, an optional `type`, at least
 * one axis. Returns a frozen copy, or null for null / undefined.
 */
export function checkBlockSizesOption(v: unknown, who: string): BlockSizesOption | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new TypeError(`${who}: blockSizes must be an object mapping axes to block sizes (e.g. { [-1]: 128 }), got ${describeValue(v)}`);
  }
  const out: Record<string, unknown> = {};
  let axes = 0;
  for (const [key, value] of Object.entries(v)) {
    if (key === 'type') {
      if (value !== 'static' && value !== 'dynamic') throw new TypeError(`${who}: blockSizes type must be 'static' or 'dynamic', got ${describeValue(value)}`);
    } else if (/^-?\d+$/.test(key)) {
      if (value !== null && !(typeof value === 'number' && Number.isInteger(value) && value > 0)) {
        throw new RangeError(`${who}: block size of axis ${key} must be a positive integer or null, got ${describeValue(value)}`);
      }
      axes++;
    } else if (/^scale_?(bits|block_?sizes)$/i.test(key)) {
      throw new TypeError(`${who}: blockSizes '${key}' (quantized block scales) is not supported`);
    } else {
      throw new TypeError(`${who}: blockSizes key '${key}' is neither an axis nor 'type'`);
    }
    out[key] = value;
  }
  if (axes === 0) throw new RangeError(`${who}: blockSizes names no axis (e.g. { [-1]: 128 })`);
  return Object.freeze(out) as BlockSizesOption;
}

/** The axis entries of a blockSizes option (without `type`). */
export function blockAxes(o: BlockSizesOption): BlockSizes {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(o)) if (k !== 'type') out[k] = v as number | null;
  return out;
}

/** `{-1: 128, 'type': 'dynamic'}`, as Python prints the dict. */
export function formatBlockSizes(o: BlockSizesOption): string {
  return `{${Object.entries(o).map(([k, v]) => (k === 'type' ? `'type': '${String(v)}'` : `${k}: ${v === null ? 'None' : String(v)}`)).join(', ')}}`;
}
