// tensorQuant / fakeTensorQuant as tiled kernel calls. Validation, bounds and scales come from
// @pq/core so errors and scale values are the reference implementation's own.

import {
  amaxArray, checkAmax, checkNDArray, jsKernels, maxBound, minBound, ndarray, quantScales, resolveQuantOptions,
  type AmaxLike, type NDArray, type QuantOptions,
} from '@pq/core';
import { quantBlockedSource, quantScalarSource, type QuantOutput } from '../kernel-source.js';
import { scaleBlocks, type ScaleBlocks } from '../scale-blocks.js';
import { nonFiniteIndices } from './specials.js';
import { stepKey, type Plan, type PlanContext } from './step.js';

export interface QuantPlanResult {
  readonly out: Float32Array;
  /** The returned scale (amax's shape; 1 where amax <= 2^-24). */
  readonly scale: NDArray;
}

function checkUnsignedInput(x: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    if (x[i]! < 0) throw new RangeError(`negative input ${x[i]!} (at index ${i}) in unsigned quantization`);
  }
}

// float32 represents these integers exactly; larger block lengths behave the same in a tile.
const BLOCK_LEN_CAP = 1 << 24;

// Largest `q / scale` table a kernel gets (4 MiB); beyond it the host divides (division-free mode).
const TABLE_LIMIT = 1 << 20;

/** `fround(q / d)` for q = lo..hi, for each d: the division-free fake quant's lookup table. */
function quotientTable(divisors: Float32Array, lo: number, hi: number): Float32Array {
  const levels = hi - lo + 1;
  const t = new Float32Array(divisors.length * levels);
  for (let m = 0; m < divisors.length; m++) {
    const d = divisors[m]!;
    for (let j = 0; j < levels; j++) t[m * levels + j] = (lo + j) / d;
  }
  return t;
}

export function* quantPlan(
  x: NDArray, amax: AmaxLike, o: QuantOptions | undefined, fake: boolean, ctx: PlanContext,
): Plan<QuantPlanResult> {
  const { tile } = ctx;
  const { numBits, unsigned, narrowRange } = resolveQuantOptions(o, fake ? 'fakeTensorQuant' : 'tensorQuant');
  checkNDArray(x, 'x');
  const a = amaxArray(amax);
  const blocks = scaleBlocks(x.shape, a.shape);
  checkAmax(a);
  if (unsigned) checkUnsignedInput(x.data);
  const hi = maxBound(numBits, unsigned);
  const lo = minBound(numBits, unsigned, narrowRange);
  const scales = quantScales(a, hi);
  const scale: NDArray = { data: scales.out, shape: [...a.shape] };
  const n = x.data.length;
  const out = new Float32Array(n);
  const levels = hi - lo + 1;
  const output: QuantOutput = !fake ? 'quant' : ctx.divisionFree ? 'fake-table' : 'fake';
  const o2 = { numBits, unsigned, narrowRange };
  const specials = ctx.hostSpecials ? nonFiniteIndices(x.data) : null;
  const finish = (): QuantPlanResult => {
    if (specials) finishSpecials(x.data, out, specials, a, blocks, fake, o2);
    return { out, scale };
  };

  if (blocks.period === 1) {
    const source = quantScalarSource(output);
    const sq = scales.quant[0] ?? 0;
    const sd = scales.out[0] ?? 1;
    const div = output === 'fake-table' ? quotientTable(Float32Array.of(sd), lo, hi) : sd;
    for (let t0 = 0; t0 < n; t0 += tile) {
      const xt = x.data.subarray(t0, Math.min(n, t0 + tile));
      const args = [xt, sq, div, lo, hi];
      out.set(yield { key: stepKey(`${output}-scalar`, xt.length, args), source, output: xt.length, args }, t0);
    }
    return finish();
  }

  // Per-block scales, expanded over one period of the broadcast pattern.
  const { blockLen, period, amaxIndex } = blocks;
  const sqAll = new Float32Array(period);
  const sdAll = new Float32Array(period);
  for (let k = 0; k < period; k++) {
    sqAll[k] = scales.quant[amaxIndex[k]!]!;
    sdAll[k] = scales.out[amaxIndex[k]!]!;
  }
  // A tile touches at most ceil(tile / blockLen) + 1 blocks; the same length for every tile
  // keeps one compiled kernel for all full tiles.
  const span = Math.min(period, Math.ceil(tile / blockLen) + 1);
  // Division-free with a table too big to ship: quantize on the device, divide on the host.
  const hostDivide = output === 'fake-table' && span * levels > TABLE_LIMIT;
  const kernelOutput: QuantOutput = hostDivide ? 'quant' : output;
  const source = quantBlockedSource(kernelOutput);
  for (let t0 = 0; t0 < n; t0 += tile) {
    const len = Math.min(tile, n - t0);
    const xt = x.data.subarray(t0, t0 + len);
    const firstBlock = Math.floor(t0 / blockLen);
    const first = Math.min(blockLen - (t0 - firstBlock * blockLen), len);
    const m0 = firstBlock % period;
    // Scales rotated so that the tile's first block is index 0.
    const sq = new Float32Array(span);
    const sd = new Float32Array(span);
    for (let j = 0; j < span; j++) {
      const m = (m0 + j) % period;
      sq[j] = sqAll[m]!;
      sd[j] = sdAll[m]!;
    }
    const div = kernelOutput === 'fake-table' ? quotientTable(sd, lo, hi) : sd;
    const args = [xt, sq, div, first, Math.min(blockLen, BLOCK_LEN_CAP), span, lo, hi, levels];
    out.set(yield { key: stepKey(`${kernelOutput}-blocked`, len, args), source, output: len, args }, t0);
  }
  if (hostDivide) {
    // out holds q; the float64 quotient rounded by the float32 store is fround(q / d), as in core
    for (let k = 0, e = 0; e < n; k++, e += blockLen) {
      const d = sdAll[k % period]!;
      const end = Math.min(n, e + blockLen);
      for (let i = e; i < end; i++) out[i] = out[i]! / d;
    }
  }
  return finish();
}

/** Overwrites the outputs of non-finite inputs with jsKernels' results, each with its own amax. */
function finishSpecials(
  x: Float32Array, out: Float32Array, at: Int32Array, amax: NDArray, blocks: ScaleBlocks, fake: boolean, o: QuantOptions,
): void {
  const xs = new Float32Array(at.length);
  const as = new Float32Array(at.length);
  for (let k = 0; k < at.length; k++) {
    const i = at[k]!;
    xs[k] = x[i]!;
    as[k] = amax.data[blocks.amaxIndex[Math.floor(i / blocks.blockLen) % blocks.period]!]!;
  }
  const xa = ndarray(xs);
  const r = fake ? jsKernels.fakeTensorQuant(xa, ndarray(as), o).data : jsKernels.tensorQuant(xa, ndarray(as), o).outputs.data;
  for (let k = 0; k < at.length; k++) out[at[k]!] = r[k]!;
}
