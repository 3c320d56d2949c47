import { blockPlan, forEachBlock } from './layout.js';
import { checkNDArray } from './ndarray.js';
import { absMaxRun } from './simd-loops.js';
import { formatShape, normalizeAxes, shapeSize } from './shape.js';
import type { NDArray } from './types.js';

/**
 * `max(|x|)` over `axis` (the reference's reduce_amax). `axis` null/undefined reduces every
 * axis to a scalar. With `keepDims` (default true) reduced axes stay as size 1, otherwise they
 * are dropped. Like the reference, a result reduced over a list of axes that has one element
 * is a scalar (shape `[]`) even with keepDims. NaN anywhere in a reduced group gives NaN.
 */
export function reduceAmax(x: NDArray, axis?: number | readonly number[] | null, keepDims = true): NDArray {
  checkNDArray(x, 'x');
  const rank = x.shape.length;
  const axes = axis === null || axis === undefined ? x.shape.map((_, i) => i) : normalizeAxes(axis, rank);
  const reduced = new Set(axes);
  const keepShape = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  for (const a of axes) {
    if (a < rank && x.shape[a] === 0) {
      throw new RangeError(`cannot reduce amax over axis ${a} of length 0 (x shape ${formatShape(x.shape)})`);
    }
  }
  const out = new Float32Array(shapeSize(keepShape));
  const plan = blockPlan(x.shape, keepShape, 'reduced');
  const xs = x.data;
  const len = plan.blockLen;
  if (plan.vector) {
    forEachBlock(plan, (xi, bi) => {
      for (let j = 0; j < len; j++) {
        const v = Math.abs(xs[xi + j]!);
        const m = out[bi + j]!;
        // NaN-sticky max: a NaN value wins, and once NaN the maximum stays NaN.
        if (v > m || (v !== v && m === m)) out[bi + j] = v;
      }
    });
  } else {
    forEachBlock(plan, (xi, bi) => {
      const m = absMaxRun(xs, xi, len);
      const o = out[bi]!;
      if (m > o || (m !== m && o === o)) out[bi] = m;
    });
  }
  let shape: number[];
  if (axis === null || axis === undefined) shape = [];
  else if (typeof axis === 'number') shape = keepDims ? keepShape : x.shape.filter((_, i) => !reduced.has(i));
  else if (out.length === 1) shape = [];
  else shape = keepDims ? keepShape : x.shape.filter((_, i) => !reduced.has(i));
  return { data: out, shape };
}
