// @pq/calib: the reference's calibrators (max, and histogram with entropy / MSE / percentile),
// with the same answers in milliseconds.
export { MaxCalibrator, type MaxCalibratorOptions } from './max-calibrator.js';
export {
  HistogramCalibrator, type HistogramCalibratorOptions, type HistogramMethod, type ComputeAmaxOptions,
} from './histogram-calibrator.js';
export { computeAmaxEntropy, type EntropyOptions } from './entropy.js';
export { computeAmaxMse, type MseOptions } from './mse.js';
export type { MseNumBits } from './mse-exact.js';
export { computeAmaxPercentile } from './percentile.js';
