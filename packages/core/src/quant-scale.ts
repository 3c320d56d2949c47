// The scales of _tensor_quant: `scale = max_bound / amax` in float32; where amax <= 2^-24 the
// scale used for quantizing is 0 (those outputs are 0) and the scale returned is 1.

import type { NDArray } from './types.js';

/** amax values at or below this quantize to 0 (smallest positive float16 subnormal). */
export const AMAX_EPSILON = 2 ** -24;

/**
 * Throws unless every amax value is finite and >= 0, naming the first offending value. (The
 * reference lets an infinite amax through: its scale is 0 and fake quant returns NaN.)
 */
export function checkAmax(amax: NDArray | ArrayLike<number>, what = 'amax'): void {
  const d = 'data' in amax ? amax.data : amax;
  for (let i = 0; i < d.length; i++) {
    const a = d[i]!;
    if (!(a >= 0 && a < Infinity)) throw new RangeError(`${what} must be finite and non-negative, got ${a} (at index ${i})`);
  }
}

export interface QuantScales {
  /** The scale multiplied into x (0 where amax is tiny). */
  readonly quant: Float32Array;
  /** The scale returned and divided out by fake quant (1 where amax is tiny). */
  readonly out: Float32Array;
}

export function quantScales(amax: NDArray, maxBound: number): QuantScales {
  const n = amax.data.length;
  const quant = new Float32Array(n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = amax.data[i]!;
    const s = Math.fround(maxBound / a);
    const tiny = a <= AMAX_EPSILON;
    quant[i] = tiny ? 0 : s;
    out[i] = tiny ? 1 : s;
  }
  return { quant, out };
}
