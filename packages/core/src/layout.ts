// How an array `b` broadcast against `x` lines up with x's memory, so that elementwise ops walk
// x once in order. Adjacent axes are merged into segments that are either "shared" (b has size
// 1 there) or "own" (b has x's size); size-1 axes of x are dropped. The innermost segment is
// the block walked by the hot loop: a shared block uses one b value for all its elements, an
// own block walks b's values alongside x's. Only the outer segments need index arithmetic, once
// per block.

import { broadcastTo } from './shape.js';

export interface BlockPlan {
  /** Lengths of the outer segments, outermost first. */
  readonly outer: readonly number[];
  /** b stride (in elements) of each outer segment; 0 where b is shared. */
  readonly outerStride: readonly number[];
  /** Elements per block (the innermost segment; the whole array when nothing varies). */
  readonly blockLen: number;
  /** True when b varies along the block (own innermost segment). */
  readonly vector: boolean;
  /** Number of blocks. */
  readonly blocks: number;
}

/** The block plan of `bShape` broadcast to `xShape` (throws when it does not broadcast). */
export function blockPlan(xShape: readonly number[], bShape: readonly number[], what = 'amax'): BlockPlan {
  const aligned = broadcastTo(bShape, xShape, what);
  const lens: number[] = [];
  const own: boolean[] = [];
  for (let i = 0; i < xShape.length; i++) {
    const n = xShape[i]!;
    if (n === 1) continue;
    const isOwn = aligned[i] !== 1;
    if (lens.length > 0 && own[own.length - 1] === isOwn) lens[lens.length - 1]! *= n;
    else {
      lens.push(n);
      own.push(isOwn);
    }
  }
  if (lens.length === 0) return { outer: [], outerStride: [], blockLen: xShape.includes(0) ? 0 : 1, vector: false, blocks: 1 };
  // b strides of the own segments: row-major over own segments only (b is contiguous).
  const strides = new Array<number>(lens.length).fill(0);
  let s = 1;
  for (let i = lens.length - 1; i >= 0; i--) {
    if (own[i]) {
      strides[i] = s;
      s *= lens[i]!;
    }
  }
  const blockLen = lens[lens.length - 1]!;
  const outer = lens.slice(0, -1);
  let blocks = 1;
  for (const n of outer) blocks *= n;
  if (xShape.includes(0)) blocks = 0;
  return { outer, outerStride: strides.slice(0, -1), blockLen, vector: own[own.length - 1]!, blocks };
}

/**
 * Calls `fn(xStart, bStart)` for every block in memory order. For a vector block, b's values
 * for elements `xStart + j` are at `bStart + j`.
 */
export function forEachBlock(plan: BlockPlan, fn: (xStart: number, bStart: number) => void): void {
  const { outer, outerStride, blockLen, blocks } = plan;
  const depth = outer.length;
  if (depth === 0) {
    if (blocks > 0) fn(0, 0);
    return;
  }
  const idx = new Array<number>(depth).fill(0);
  let bStart = 0;
  let xStart = 0;
  for (let k = 0; k < blocks; k++) {
    fn(xStart, bStart);
    xStart += blockLen;
    // Odometer over the outer segments, updating b's offset incrementally.
    for (let d = depth - 1; d >= 0; d--) {
      idx[d]!++;
      bStart += outerStride[d]!;
      if (idx[d]! < outer[d]!) break;
      bStart -= outerStride[d]! * outer[d]!;
      idx[d] = 0;
    }
  }
}
