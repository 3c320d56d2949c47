// What both calibrators refuse before touching their state, so that a bad batch leaves the
// calibration collected so far intact.
//
// NaN and ±Infinity are refused rather than skipped: a NaN amax (MaxCalibrator) or a histogram
// whose range is infinite is never what the caller wants, and silently dropping values would
// calibrate on data other than what was passed. The error gives the count so that the caller can
// tell one stray value from a diverged model. Detection is free: reduceAmax (every QuantKernels
// implementation) turns any NaN or ±Infinity in a group into a non-finite amax, and only then
// are the values counted.
import { checkNDArray, formatShape, type NDArray } from '@pq/core';

/** Throws unless x is a non-empty NDArray. */
export function checkBatch(x: NDArray, who: string): void {
  checkNDArray(x, 'x');
  if (x.data.length === 0) {
    throw new RangeError(`${who}.collect: x is empty (shape ${formatShape(x.shape)}); nothing to calibrate on`);
  }
}

/** Throws, with the count of non-finite values in x, when the batch's amax is not finite. */
export function refuseNonFinite(x: NDArray, amax: Float32Array, who: string): void {
  let finite = true;
  for (let i = 0; i < amax.length; i++) finite &&= Number.isFinite(amax[i]!);
  if (finite) return;
  const d = x.data;
  let bad = 0;
  // v - v is 0 for finite v and NaN for NaN and ±Infinity.
  for (let i = 0; i < d.length; i++) if (d[i]! - d[i]! !== 0) bad++;
  throw new RangeError(
    `${who}.collect: x has ${bad} non-finite value${bad === 1 ? '' : 's'} (NaN or ±Infinity) among ` +
      `${d.length}; calibration needs finite data, so the batch was refused`,
  );
}
