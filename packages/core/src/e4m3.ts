// FP8 E4M3 emulation (the reference's scaled_e4m3): 4 exponent bits (bias 7), 3 mantissa bits,
// subnormals down to 2^-9, largest finite 448, no infinities.

import { checkNDArray } from './ndarray.js';
import { rint } from './rint.js';
import { checkGradShape } from './tensor-quant-grad.js';
import type { NDArray } from './types.js';

/** Largest finite E4M3 value. */
export const E4M3_MAX = 448;
/** Inputs with a smaller magnitude give exactly +0 (the reference's zero mask). */
const ZERO_BELOW = 2 ** -24;
const MIN_NORMAL_EXP = -6;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * `v` rounded to the nearest E4M3 value, ties to the even code, saturating at +-448. NaN stays
 * NaN; the sign of zero is kept.
 */
export function e4m3Round(v: number): number {
  const a = Math.abs(v);
  if (!(a < E4M3_MAX)) return a === a ? (v < 0 ? -E4M3_MAX : E4M3_MAX) : v;
  if (a === 0) return v;
  f32[0] = a;
  // The float32 exponent; below the smallest normal the grid is the subnormal one (2^-9).
  const e = Math.max(((u32[0]! >>> 23) & 0xff) - 127, MIN_NORMAL_EXP);
  const ulp = 2 ** (e - 3);
  // Scaling by a power of two is exact, so rint on the scaled value rounds on the E4M3 grid;
  // the integer's parity is the code's last mantissa bit, so ties go to the even code.
  const r = Math.min(rint(a / ulp) * ulp, E4M3_MAX);
  return v < 0 ? -r : r;
}

/**
 * One value of scaled E4M3 quantization: `e4m3(v * scale)` (`|v| < 2^-24` gives +0); the
 * fake value is that divided by `scale`. Shared by the per-tensor and block-wise paths.
 */
export function e4m3Scaled(v: number, scale: number): number {
  return Math.abs(v) < ZERO_BELOW ? 0 : e4m3Round(Math.fround(v * scale));
}

function resolveAmax(amax: number | NDArray | null | undefined): number | null {
  if (amax === null || amax === undefined) return null;
  let a: number;
  if (typeof amax === 'number') a = amax;
  else {
    checkNDArray(amax, 'amax');
    if (amax.data.length !== 1) {
      throw new RangeError(`E4M3 quantization is per-tensor only: amax must be a scalar, got shape [${amax.shape.join(', ')}]`);
    }
    a = amax.data[0]!;
  }
  if (!(a > 0) || !Number.isFinite(a)) {
    throw new RangeError(`E4M3 amax must be a finite number > 0, got ${String(a)}`);
  }
  return Math.fround(a);
}

/**
 * FP8 E4M3 fake quantization. With amax: `scale = 448 / amax`, output `e4m3(x * scale) / scale`
 * (float32); without: `e4m3(x)`. `|x| < 2^-24` gives +0; NaN inputs give NaN.
 */
export function scaledE4M3(x: NDArray, amax?: number | NDArray | null): NDArray {
  checkNDArray(x, 'x');
  const a = resolveAmax(amax);
  const xs = x.data;
  const out = new Float32Array(xs.length);
  if (a === null) {
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i]!;
      out[i] = Math.abs(v) < ZERO_BELOW ? 0 : e4m3Round(v);
    }
  } else {
    const scale = Math.fround(E4M3_MAX / a);
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i]!;
      out[i] = e4m3Scaled(v, scale) / scale;
    }
  }
  return { data: out, shape: [...x.shape] };
}

/** STE gradient of scaledE4M3: `dy` where `|x| <= amax` (448 without amax), else 0. */
export function scaledE4M3Grad(x: NDArray, amax: number | NDArray | null | undefined, dy: NDArray): NDArray {
  checkNDArray(x, 'x');
  checkGradShape(x, dy);
  const bound = resolveAmax(amax) ?? E4M3_MAX;
  const xs = x.data;
  const g = dy.data;
  const out = new Float32Array(xs.length);
  for (let i = 0; i < xs.length; i++) if (Math.abs(xs[i]!) <= bound) out[i] = g[i]!;
  return { data: out, shape: [...x.shape] };
}
