import { ndarray } from '@pq/core';
import { HistogramCalibrator } from '../src/index.js';

/** The histogram a HistogramCalibrator collects from `x` in one batch. */
export function histogramOf(x: Float32Array, numBins: number): { counts: Float64Array; edges: Float32Array } {
  const cal = new HistogramCalibrator({ numBins });
  cal.collect(ndarray(x));
  return cal.histogram!;
}
