import { checkNumBits, maxBound, minBound } from './bounds.js';
import { blockPlan, forEachBlock } from './layout.js';
import { amaxArray, checkNDArray } from './ndarray.js';
import { fakeQuantBlock, fakeQuantBlockVec, quantBlock, quantBlockVec } from './quant-loops.js';
import { checkAmax, quantScales } from './quant-scale.js';
import type { AmaxLike, NDArray, QuantOptions, TensorQuantResult } from './types.js';

interface Resolved {
  numBits: number;
  unsigned: boolean;
  narrowRange: boolean;
}

function resolveOptions(o: QuantOptions | undefined): Resolved {
  const numBits = o?.numBits ?? 8;
  const unsigned = o?.unsigned ?? false;
  const narrowRange = o?.narrowRange ?? true;
  checkNumBits(numBits, unsigned);
  return { numBits, unsigned, narrowRange };
}

function checkUnsignedInput(x: NDArray): void {
  const d = x.data;
  for (let i = 0; i < d.length; i++) {
    if (d[i]! < 0) {
      throw new RangeError(`negative input ${d[i]!} (at index ${i}) in unsigned quantization`);
    }
  }
}

function run(x: NDArray, amax: AmaxLike, o: QuantOptions | undefined, fake: boolean) {
  checkNDArray(x, 'x');
  const a = amaxArray(amax);
  const { numBits, unsigned, narrowRange } = resolveOptions(o);
  const plan = blockPlan(x.shape, a.shape);
  checkAmax(a);
  if (unsigned) checkUnsignedInput(x);
  const mb = maxBound(numBits, unsigned);
  const lo = minBound(numBits, unsigned, narrowRange);
  const scales = quantScales(a, mb);
  const xs = x.data;
  const out = new Float32Array(xs.length);
  const { blockLen } = plan;
  const sq = scales.quant;
  const so = scales.out;
  if (plan.vector) {
    if (fake) forEachBlock(plan, (xi, bi) => fakeQuantBlockVec(xs, out, xi, blockLen, sq, so, bi, lo, mb));
    else forEachBlock(plan, (xi, bi) => quantBlockVec(xs, out, xi, blockLen, sq, bi, lo, mb));
  } else if (fake) {
    forEachBlock(plan, (xi, bi) => fakeQuantBlock(xs, out, xi, blockLen, sq[bi]!, so[bi]!, lo, mb));
  } else {
    forEachBlock(plan, (xi, bi) => quantBlock(xs, out, xi, blockLen, sq[bi]!, lo, mb));
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
