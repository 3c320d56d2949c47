// Block-wise quantization (ModelOpt's `block_sizes`): one amax per block of x, e.g. per 128
// consecutive weights of a row for INT4 AWQ. Every element is quantized exactly as
// fakeTensorQuant / scaledE4M3 would with its block's amax; only the walk differs.

import { maxBound, minBound, resolveQuantOptions } from './bounds.js';
import { blockLayout, checkBlockAmaxShape, forEachBlockRow, type BlockLayout, type BlockSizes } from './block-layout.js';
import { E4M3_MAX, e4m3Scaled } from './e4m3.js';
import { amaxArray, checkNDArray } from './ndarray.js';
import { shapeSize } from './shape.js';
import { fakeQuantVecRun, quantVecRun, quantBlocksRun, absMaxBlocksRun, absMaxVecRun } from './simd-loops.js';
import { AMAX_EPSILON, checkAmax, quantScales } from './quant-scale.js';
import { checkGradShape } from './tensor-quant-grad.js';
import type { AmaxLike, NDArray, QuantOptions, TensorQuantResult } from './types.js';

/**
 * max |x| over each block (NaN for a block holding NaN): the amax of block-wise quantization,
 * shaped `ceil(shape[i] / size[i])` per axis.
 *
 * @example reduceBlockAmax(ndarray([1, -3, 2, 5, 0.5], [1, 5]), { [-1]: 2 }) // [[3, 5, 0.5]]
 */
export function reduceBlockAmax(x: NDArray, blockSizes: BlockSizes): NDArray {
  checkNDArray(x, 'x');
  const layout = blockLayout(x.shape, blockSizes);
  const out = new Float32Array(shapeSize(layout.amaxShape));
  const xs = x.data;
  forEachBlockRow(
    layout,
    (xi, len, b, ai) => absMaxBlocksRun(xs, xi, len, b, out, ai),
    (xi, len, ai) => absMaxVecRun(xs, xi, len, out, ai),
  );
  return { data: out, shape: [...layout.amaxShape] };
}

function resolveAmax(x: NDArray, amax: AmaxLike, blockSizes: BlockSizes): { layout: BlockLayout; a: NDArray } {
  checkNDArray(x, 'x');
  const layout = blockLayout(x.shape, blockSizes);
  let a = amaxArray(amax);
  // A number (or one-element amax) is the same amax for every block.
  const blocks = shapeSize(layout.amaxShape);
  if (a.data.length === 1) a = { data: new Float32Array(blocks).fill(a.data[0]!), shape: [...layout.amaxShape] };
  checkBlockAmaxShape(layout, a.shape);
  checkAmax(a);
  return { layout, a };
}

function runInt(x: NDArray, amax: AmaxLike, blockSizes: BlockSizes, o: QuantOptions | undefined, fake: boolean, into?: Float32Array) {
  const { numBits, unsigned, narrowRange } = resolveQuantOptions(o, fake ? 'fakeBlockQuant' : 'blockQuant');
  const { layout, a } = resolveAmax(x, amax, blockSizes);
  const xs = x.data;
  if (unsigned) {
    for (let i = 0; i < xs.length; i++) {
      if (xs[i]! < 0) throw new RangeError(`negative input ${xs[i]!} (at index ${i}) in unsigned quantization`);
    }
  }
  if (into !== undefined && (!(into instanceof Float32Array) || into.length !== xs.length)) {
    throw new RangeError(`out must be a Float32Array of ${xs.length} elements (x's size), got ${describeOut(into)}`);
  }
  const hi = maxBound(numBits, unsigned);
  const lo = minBound(numBits, unsigned, narrowRange);
  const { quant: sq, out: so } = quantScales(a, hi);
  const out = into ?? new Float32Array(xs.length);
  forEachBlockRow(
    layout,
    (xi, len, b, ai) => quantBlocksRun(fake, xs, out, xi, len, b, sq, so, ai, lo, hi),
    (xi, len, ai) => (fake ? fakeQuantVecRun(xs, out, xi, len, sq, so, ai, lo, hi) : quantVecRun(xs, out, xi, len, sq, ai, lo, hi)),
  );
  return { out, scale: { data: so, shape: [...layout.amaxShape] } };
}

function describeOut(out: unknown): string {
  return out instanceof Float32Array ? `${out.length} elements` : String(out);
}

/**
 * Block-wise fake quantization: each element as `fakeTensorQuant` with its block's amax.
 * `amax` has the block shape (see reduceBlockAmax) or is one number for every block.
 *
 * @example fakeBlockQuant(x, reduceBlockAmax(x, { [-1]: 128 }), { [-1]: 128 }, { numBits: 4 })
 */
export function fakeBlockQuant(x: NDArray, amax: AmaxLike, blockSizes: BlockSizes, o?: QuantOptions): NDArray {
  return { data: runInt(x, amax, blockSizes, o, true).out, shape: [...x.shape] };
}

/** fakeBlockQuant into a caller-owned `out` (x's size; may be `x.data`). Returns `out`. */
export function fakeBlockQuantInto(x: NDArray, amax: AmaxLike, blockSizes: BlockSizes, out: Float32Array, o?: QuantOptions): Float32Array {
  return runInt(x, amax, blockSizes, o, true, out).out;
}

/** Block-wise real quantization: the integers (as floats) and one scale per block (`maxBound / amax`). */
export function blockQuant(x: NDArray, amax: AmaxLike, blockSizes: BlockSizes, o?: QuantOptions): TensorQuantResult {
  const { out, scale } = runInt(x, amax, blockSizes, o, false);
  return { outputs: { data: out, shape: [...x.shape] }, scale };
}

function runE4M3(x: NDArray, amax: AmaxLike, blockSizes: BlockSizes, fake: boolean): TensorQuantResult {
  // resolveAmax has refused a negative, NaN or infinite amax.
  const { layout, a } = resolveAmax(x, amax, blockSizes);
  const scales = new Float32Array(a.data.length);
  for (let i = 0; i < scales.length; i++) {
    const v = a.data[i]!;
    // A block whose amax is 0 (or tiny) quantizes to 0, as integer quantization does.
    scales[i] = v <= AMAX_EPSILON ? 0 : Math.fround(E4M3_MAX / v);
  }
  const xs = x.data;
  const out = new Float32Array(xs.length);
  const one = (i: number, s: number) => {
    if (s === 0) out[i] = 0;
    else out[i] = fake ? e4m3Scaled(xs[i]!, s) / s : e4m3Scaled(xs[i]!, s);
  };
  forEachBlockRow(
    layout,
    (xi, len, b, ai) => {
      for (let p = 0, k = ai; p < len; p += b, k++) {
        const end = xi + Math.min(p + b, len);
        for (let i = xi + p; i < end; i++) one(i, scales[k]!);
      }
    },
    (xi, len, ai) => {
      for (let j = 0; j < len; j++) one(xi + j, scales[ai + j]!);
    },
  );
  const returned = scales.map((s) => (s === 0 ? 1 : s));
  return { outputs: { data: out, shape: [...x.shape] }, scale: { data: returned, shape: [...layout.amaxShape] } };
}

/**
 * Block-wise FP8 E4M3 fake quantization: each element as `scaledE4M3` with its block's amax
 * (`e4m3(x * 448/amax) / (448/amax)`); a block with amax <= 2^-24 gives 0.
 */
export function scaledE4M3Block(x: NDArray, amax: AmaxLike, blockSizes: BlockSizes): NDArray {
  return runE4M3(x, amax, blockSizes, true).outputs;
}

/** Block-wise E4M3 real quantization: `e4m3(x * scale)` and one scale (`448 / amax`, 1 where amax <= 2^-24) per block. */
export function e4m3BlockQuant(x: NDArray, amax: AmaxLike, blockSizes: BlockSizes): TensorQuantResult {
  return runE4M3(x, amax, blockSizes, false);
}

/** Straight-through gradient of block-wise quantization: `dy` where `|x| <=` its block's amax, else 0. */
export function fakeBlockQuantGrad(x: NDArray, amax: AmaxLike, blockSizes: BlockSizes, dy: NDArray): NDArray {
  const { layout, a } = resolveAmax(x, amax, blockSizes);
  checkGradShape(x, dy);
  const xs = x.data;
  const g = dy.data;
  const am = a.data;
  const out = new Float32Array(xs.length);
  forEachBlockRow(
    layout,
    (xi, len, b, ai) => {
      for (let p = 0, k = ai; p < len; p += b, k++) {
        const m = am[k]!;
        const end = xi + Math.min(p + b, len);
        for (let i = xi + p; i < end; i++) if (Math.abs(xs[i]!) <= m) out[i] = g[i]!;
      }
    },
    (xi, len, ai) => {
      for (let j = 0; j < len; j++) if (Math.abs(xs[xi + j]!) <= am[ai + j]!) out[xi + j] = g[xi + j]!;
    },
  );
  return { data: out, shape: [...x.shape] };
}
