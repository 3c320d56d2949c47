import { maxBound, minBound, resolveQuantOptions } from './bounds.js';
import { blockPlan, forEachBlock } from './layout.js';
import { amaxArray, checkNDArray } from './ndarray.js';
import { fakeQuantRun, fakeQuantVecRun, quantRun, quantVecRun } from './simd-loops.js';
import { checkAmax, quantScales } from './quant-scale.js';
import type { AmaxLike, NDArray, QuantOptions, TensorQuantResult } from './types.js';

function checkUnsignedInput(x: NDArray): void {
  const d = x.data;
  for (let i = 0; i < d.length; i++) {
    if (d[i]! < 0) {
      throw new RangeError(`negative input ${d[i]!} (at index ${i}) in unsigned quantization`);
    }
  }
}

function checkOut(out: Float32Array, x: NDArray): void {
  if (!(out instanceof Float32Array) || out.length !== x.data.length) {
    throw new RangeError(`out must be a Float32Array of ${x.data.length} elements (x's size), got ${out instanceof Float32Array ? `${out.length} elements` : String(out)}`);
  }
}

function run(x: NDArray, amax: AmaxLike, o: QuantOptions | undefined, fake: boolean, into?: Float32Array) {
  const { numBits, unsigned, narrowRange } = resolveQuantOptions(o, fake ? 'fakeTensorQuant' : 'tensorQuant');
  checkNDArray(x, 'x');
  const a = amaxArray(amax);
  const plan = blockPlan(x.shape, a.shape);
  checkAmax(a);
  if (unsigned) checkUnsignedInput(x);
  const mb = maxBound(numBits, unsigned);
  const lo = minBound(numBits, unsigned, narrowRange);
  const scales = quantScales(a, mb);
  const xs = x.data;
  if (into !== undefined) checkOut(into, x);
  const out = into ?? new Float32Array(xs.length);
  const { blockLen } = plan;
  const sq = scales.quant;
  const so = scales.out;
  if (plan.vector) {
    if (fake) forEachBlock(plan, (xi, bi) => fakeQuantVecRun(xs, out, xi, blockLen, sq, so, bi, lo, mb));
    else forEachBlock(plan, (xi, bi) => quantVecRun(xs, out, xi, blockLen, sq, bi, lo, mb));
  } else if (fake) {
    forEachBlock(plan, (xi, bi) => fakeQuantRun(xs, out, xi, blockLen, sq[bi]!, so[bi]!, lo, mb));
  } else {
    forEachBlock(plan, (xi, bi) => quantRun(xs, out, xi, blockLen, sq[bi]!, lo, mb));
  }
  return { out, scale: { data: so, shape: [...a.shape] } };
}

/**
 * Integer quantization (the reference's tensor_quant): `q = clamp(rint(x * scale), min, max)`
 * with `scale = maxBound / amax` in float32. Returns the integers as floats and the scale
 * (amax's shape; 1 where amax <= 2^-24). NaN inputs give NaN outputs.
 *
 * @example tensorQuant(ndarray([0.5, -1, 2]), 2) // outputs [32, -64, 127], scale 63.5
 */
export function tensorQuant(x: NDArray, amax: AmaxLike, o?: QuantOptions): TensorQuantResult {
  const { out, scale } = run(x, amax, o, false);
  return { outputs: { data: out, shape: [...x.shape] }, scale };
}

/**
 * Fake (simulated) quantization: `tensorQuant(x, amax, o).outputs / scale`, in float32.
 * Defaults: 8 bits, signed, narrow range. amax broadcasts to x with numpy rules.
 *
 * @example fakeTensorQuant(ndarray([0.3, -1]), 1) // [0.29921260476112366, -1]
 */
export function fakeTensorQuant(x: NDArray, amax: AmaxLike, o?: QuantOptions): NDArray {
  return { data: run(x, amax, o, true).out, shape: [...x.shape] };
}

/**
 * fakeTensorQuant writing into a caller-owned `out` (x's size; may be `x.data` itself for
 * in-place quantization), saving the allocation of a fresh array on every call. Returns `out`.
 */
export function fakeTensorQuantInto(x: NDArray, amax: AmaxLike, out: Float32Array, o?: QuantOptions): Float32Array {
  return run(x, amax, o, true, out).out;
}

/** tensorQuant writing the integers into a caller-owned `out`; returns the scale. */
export function tensorQuantInto(x: NDArray, amax: AmaxLike, out: Float32Array, o?: QuantOptions): NDArray {
  return run(x, amax, o, false, out).scale;
}
