import { checkNDArray } from './ndarray.js';
import { checkOptions, describeValue } from './options.js';
import type { HistogramOptions, NDArray } from './types.js';

/**
 * torch.histc(values, bins, min, max) on float32 values, counts as float64. Bins are equal
 * width over [min, max]; `pos = trunc(fround(fround((v - min) * bins) / (max - min)))` in float32
 * like PyTorch's CPU kernel; a value equal to max goes into the last bin; values outside and NaN
 * are ignored. As in torch, min == max falls back to the data's own range, and a still-empty
 * range widens to [min - 1, max + 1].
 */
export function histc(values: Float32Array, numBins: number, min: number, max: number): Float64Array {
  let left = Math.fround(min);
  let right = Math.fround(max);
  if (left === right && values.length > 0) {
    left = Infinity;
    right = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < left) left = v;
      if (v > right) right = v;
    }
  }
  if (left === right) {
    left = Math.fround(left - 1);
    right = Math.fround(right + 1);
  }
  if (!Number.isFinite(left) || !Number.isFinite(right)) {
    throw new RangeError(`histogram range [${left}, ${right}] is not finite`);
  }
  const counts = new Float64Array(numBins);
  const width = Math.fround(right - left);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= left && v <= right)) continue;
    let pos = Math.trunc(Math.fround(Math.fround(Math.fround(v - left) * numBins) / width));
    if (pos >= numBins) pos = numBins - 1;
    counts[pos]!++;
  }
  return counts;
}

/**
 * Checks the arguments of `histogram` (every QuantKernels implementation's): x, a positive
 * integer numBins, a finite max >= 0 and the options; returns the options with defaults.
 */
export function checkHistogramArgs(x: NDArray, numBins: number, max: number, o: HistogramOptions | undefined): Required<HistogramOptions> {
  checkOptions('histogram', o, { skipZeros: 'boolean' });
  checkNDArray(x, 'x');
  if (!Number.isInteger(numBins) || numBins < 1) {
    throw new RangeError(`histogram: numBins must be a positive integer, got ${typeof numBins === 'number' ? numBins : describeValue(numBins)}`);
  }
  if (!(max >= 0) || !Number.isFinite(max)) {
    throw new RangeError(`histogram max must be a finite number >= 0, got ${typeof max === 'number' ? max : describeValue(max)}`);
  }
  return { skipZeros: o?.skipZeros ?? false };
}

/**
 * Counts of `|x|` in `numBins` equal bins over `[0, max]` (HistogramCalibrator's
 * `torch.histc(|x|, bins, min=0, max)`); `skipZeros` drops exact zeros first.
 */
export function histogram(x: NDArray, numBins: number, max: number, o?: HistogramOptions): Float64Array {
  const { skipZeros } = checkHistogramArgs(x, numBins, max, o);
  const src = x.data;
  const right = Math.fround(max);
  if (right > 0) return absHistogram(src, numBins, right, skipZeros);
  // max == 0: torch.histc falls back to the data's own range; take the general path.
  const abs = new Float32Array(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const v = Math.abs(src[i]!);
    if (skipZeros && v === 0) continue;
    abs[n++] = v;
  }
  return histc(abs.subarray(0, n), numBins, 0, max);
}

/**
 * histc(|x|, numBins, 0, right) for right > 0 without materialising |x|: the hot loop of
 * calibration. Same float32 bin formula as histc (v - 0 is exact, so it is skipped).
 */
function absHistogram(src: Float32Array, numBins: number, right: number, skipZeros: boolean): Float64Array {
  const counts = new Float64Array(numBins);
  const last = numBins - 1;
  for (let i = 0; i < src.length; i++) {
    const v = Math.abs(src[i]!);
    // NaN and values beyond the range fail this test and are ignored, as in torch.histc.
    if (!(v <= right) || (skipZeros && v === 0)) continue;
    let pos = Math.fround(Math.fround(v * numBins) / right) | 0;
    if (pos > last) pos = last;
    counts[pos]!++;
  }
  return counts;
}
