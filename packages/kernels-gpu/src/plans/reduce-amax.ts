// reduceAmax as passes of a chunked max over contiguous slices. x is viewed as segments of
// axes that are all reduced or all kept (size-1 axes dropped); each reduced segment is folded
// as [A, R, B] -> [A, B] by passes that shrink R by REDUCE_CHUNK. Max is exact, so the order
// of folding cannot change a bit of the result. Every kernel call reads at most `tile`
// contiguous elements: whole rows when they fit, row ranges when not, and a host-side gather
// when even `chunk` rows of the kept inner block are too big.

import { checkNDArray, formatShape, normalizeAxes, shapeSize, type NDArray } from '@pq/core';
import { absMaxPassSource } from '../kernel-source.js';
import { REDUCE_CHUNK } from '../limits.js';
import { nonFiniteIndices } from './specials.js';
import { stepKey, type Plan, type PlanContext } from './step.js';

interface Segment {
  len: number;
  reduced: boolean;
}

export function* reduceAmaxPlan(
  x: NDArray, axis: number | readonly number[] | null | undefined, keepDims: boolean, ctx: PlanContext,
): Plan<NDArray> {
  const { tile } = ctx;
  checkNDArray(x, 'x');
  const rank = x.shape.length;
  const all = axis === null || axis === undefined;
  const axes = all ? x.shape.map((_, i) => i) : normalizeAxes(axis, rank);
  const reduced = new Set(axes);
  for (const a of axes) {
    if (a < rank && x.shape[a] === 0) {
      throw new RangeError(`cannot reduce amax over axis ${a} of length 0 (x shape ${formatShape(x.shape)})`);
    }
  }
  const keepShape = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const shape = outputShape(x.shape, axis, keepDims, reduced, keepShape);

  const segments: Segment[] = [];
  for (let i = 0; i < rank; i++) {
    const len = x.shape[i]!;
    if (len === 1) continue;
    const r = reduced.has(i);
    const last = segments[segments.length - 1];
    if (last && last.reduced === r) last.len *= len;
    else segments.push({ len, reduced: r });
  }
  let cur = x.data;
  if (cur.length === 0) return { data: new Float32Array(0), shape };
  const specials = ctx.hostSpecials ? nonFiniteIndices(x.data) : null;
  let folded = false;
  for (let s = segments.length - 1; s >= 0; s--) {
    const seg = segments[s]!;
    if (!seg.reduced) continue;
    const A = segments.slice(0, s).reduce((p, g) => p * g.len, 1);
    const B = segments.slice(s + 1).reduce((p, g) => p * g.len, 1);
    let R = seg.len;
    while (R > 1) {
      cur = yield* foldPass(cur, A, R, B, ctx);
      R = Math.ceil(R / Math.min(R, REDUCE_CHUNK, tile));
    }
    segments.splice(s, 1);
    folded = true;
  }
  // Nothing to fold (only size-1 axes reduced): the result is |x| itself.
  if (!folded) cur = yield* foldPass(cur, cur.length, 1, 1, ctx);
  if (specials) finishSpecials(x, specials, keepShape, cur);
  return { data: cur, shape };
}

/** Sets each output cell holding a non-finite |x|: NaN if any is NaN, else Infinity. */
function finishSpecials(x: NDArray, at: Int32Array, keepShape: readonly number[], out: Float32Array): void {
  const rank = x.shape.length;
  for (const i of at) {
    // x's multi-index of element i, reduced axes dropped, as an index into keepShape
    let rest = i;
    let cell = 0;
    let stride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const len = x.shape[d]!;
      const idx = rest % len;
      rest = (rest - idx) / len;
      if (keepShape[d] !== 1) {
        cell += idx * stride;
        stride *= len;
      }
    }
    const v = x.data[i]!;
    if (Number.isNaN(v)) out[cell] = v;
    else if (!Number.isNaN(out[cell]!)) out[cell] = Infinity;
  }
}

/** The reference's result shape (reduce_amax), as @pq/core's reduceAmax computes it. */
function outputShape(
  xShape: readonly number[], axis: number | readonly number[] | null | undefined, keepDims: boolean,
  reduced: Set<number>, keepShape: number[],
): number[] {
  if (axis === null || axis === undefined) return [];
  const dropped = xShape.filter((_, i) => !reduced.has(i));
  if (typeof axis === 'number') return keepDims ? keepShape : dropped;
  if (shapeSize(keepShape) === 1) return [];
  return keepDims ? keepShape : dropped;
}

/** One pass: [A, R, B] -> [A, ceil(R / chunk), B] maxima of |x|. */
function* foldPass(x: Float32Array, A: number, R: number, B: number, ctx: PlanContext): Plan<Float32Array> {
  const { tile } = ctx;
  const chunk = Math.min(R, REDUCE_CHUNK, tile);
  const J = Math.ceil(R / chunk);
  const out = new Float32Array(A * J * B);
  const source = absMaxPassSource(chunk);
  const call = function* (slice: Float32Array, rows: number, inner: number, at: number): Plan<void> {
    const jn = Math.ceil(rows / chunk);
    const args = [slice, rows, inner, jn];
    const output = jn * inner * (slice.length / (rows * inner));
    out.set(yield { key: stepKey(`amax-${chunk}`, output, args), source, output, args }, at);
  };
  if (R * B <= tile) {
    // whole [R, B] rows, as many as fit
    const per = Math.floor(tile / (R * B));
    for (let a0 = 0; a0 < A; a0 += per) {
      const count = Math.min(per, A - a0);
      yield* call(x.subarray(a0 * R * B, (a0 + count) * R * B), R, B, a0 * J * B);
    }
  } else if (B * chunk <= tile) {
    // one row at a time, in ranges of whole chunks
    const rc = Math.floor(tile / (B * chunk)) * chunk;
    for (let a = 0; a < A; a++) {
      for (let r0 = 0; r0 < R; r0 += rc) {
        const count = Math.min(rc, R - r0);
        const start = (a * R + r0) * B;
        yield* call(x.subarray(start, start + count * B), count, B, (a * J + r0 / chunk) * B);
      }
    }
  } else {
    // the kept inner block is too big even for `chunk` rows: gather column ranges
    const width = Math.floor(tile / chunk);
    for (let a = 0; a < A; a++) {
      for (let j = 0; j < J; j++) {
        const rows = Math.min(chunk, R - j * chunk);
        for (let b0 = 0; b0 < B; b0 += width) {
          const w = Math.min(width, B - b0);
          const staged = new Float32Array(rows * w);
          for (let r = 0; r < rows; r++) {
            const start = (a * R + j * chunk + r) * B + b0;
            staged.set(x.subarray(start, start + w), r * w);
          }
          yield* call(staged, rows, w, (a * J + j) * B + b0);
        }
      }
    }
  }
  return out;
}
