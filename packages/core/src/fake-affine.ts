import { checkNDArray } from './ndarray.js';
import { rint } from './rint.js';
import { checkGradShape } from './tensor-quant-grad.js';
import type { NDArray } from './types.js';

function checkRange(minRange: number, maxRange: number): void {
  if (typeof minRange !== 'number' || typeof maxRange !== 'number' || !Number.isFinite(minRange) || !Number.isFinite(maxRange)) {
    throw new RangeError(`minRange and maxRange must be finite numbers, got ${String(minRange)} and ${String(maxRange)}`);
  }
  if (!(Math.fround(minRange) < Math.fround(maxRange))) {
    throw new RangeError(`minRange (${minRange}) must be less than maxRange (${maxRange})`);
  }
}

/**
 * Asymmetric (affine) fake quantization, the reference's fake_affine_tensor_quant, in float32:
 * `step = (max - min) / (2^numBits - 1)`, `zero = rint(min / step) + 2^(numBits-1)`,
 * `q = clamp(rint(x / step) - zero, -2^(numBits-1), 2^(numBits-1) - 1)`, output `(q + zero) * step`.
 * NaN inputs give NaN.
 */
export function fakeAffineTensorQuant(x: NDArray, minRange: number, maxRange: number, numBits = 8): NDArray {
  checkNDArray(x, 'x');
  checkRange(minRange, maxRange);
  if (!Number.isInteger(numBits) || numBits < 1 || numBits > 16) {
    throw new RangeError(`numBits must be an integer in 1..16 for affine quantization, got ${String(numBits)}`);
  }
  const lo = -(2 ** (numBits - 1));
  const hi = 2 ** (numBits - 1) - 1;
  const mn = Math.fround(minRange);
  const step = Math.fround(Math.fround(Math.fround(maxRange) - mn) / (2 ** numBits - 1));
  const zero = Math.fround(rint(Math.fround(mn / step)) - lo);
  const xs = x.data;
  const out = new Float32Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    let q = Math.fround(rint(Math.fround(xs[i]! / step)) - zero);
    q = q < lo ? lo : q > hi ? hi : q;
    out[i] = Math.fround(q + zero) * step;
  }
  return { data: out, shape: [...x.shape] };
}

/** Gradient of fakeAffineTensorQuant: `dy` where `minRange <= x <= maxRange`, else 0. */
export function fakeAffineTensorQuantGrad(x: NDArray, minRange: number, maxRange: number, dy: NDArray): NDArray {
  checkNDArray(x, 'x');
  checkGradShape(x, dy);
  checkRange(minRange, maxRange);
  const mn = Math.fround(minRange);
  const mx = Math.fround(maxRange);
  const xs = x.data;
  const g = dy.data;
  const out = new Float32Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    if (v >= mn && v <= mx) out[i] = g[i]!;
  }
  return { data: out, shape: [...x.shape] };
}
