import { blockPlan, forEachBlock } from './layout.js';
import { amaxArray, checkNDArray } from './ndarray.js';
import { formatShape, sameShape } from './shape.js';
import type { AmaxLike, NDArray } from './types.js';

/** Throws unless dy has x's shape. */
export function checkGradShape(x: NDArray, dy: NDArray): void {
  checkNDArray(dy, 'dy');
  if (!sameShape(x.shape, dy.shape)) {
    throw new RangeError(`dy shape ${formatShape(dy.shape)} must equal x shape ${formatShape(x.shape)}`);
  }
}

/**
 * Straight-through-estimator gradient of fake quantization: `dx = dy` where `|x| <= amax`
 * (inclusive, amax broadcast), else 0. There is no gradient for amax.
 */
export function fakeTensorQuantGrad(x: NDArray, amax: AmaxLike, dy: NDArray): NDArray {
  checkNDArray(x, 'x');
  checkGradShape(x, dy);
  const a = amaxArray(amax);
  const plan = blockPlan(x.shape, a.shape);
  const xs = x.data;
  const g = dy.data;
  const am = a.data;
  const out = new Float32Array(xs.length);
  const len = plan.blockLen;
  if (plan.vector) {
    forEachBlock(plan, (xi, bi) => {
      for (let j = 0; j < len; j++) if (Math.abs(xs[xi + j]!) <= am[bi + j]!) out[xi + j] = g[xi + j]!;
    });
  } else {
    forEachBlock(plan, (xi, bi) => {
      const m = am[bi]!;
      const end = xi + len;
      for (let i = xi; i < end; i++) if (Math.abs(xs[i]!) <= m) out[i] = g[i]!;
    });
  }
  return { data: out, shape: [...x.shape] };
}
