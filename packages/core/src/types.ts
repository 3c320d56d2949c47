// The shapes every pq package agrees on. Kept apart from the math so that kernel
// implementations (js here, gpu.js in @pq/kernels-gpu) depend on the contract, not on each other.

/** A dense float32 array with a row-major shape. A scalar has shape `[]`. */
export interface NDArray {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** A static or dynamic amax: a number (per tensor) or an array numpy-broadcastable to x. */
export type AmaxLike = number | NDArray;

/** Integer quantization options; defaults `numBits: 8, unsigned: false, narrowRange: true`. */
export interface QuantOptions {
  numBits?: number;
  unsigned?: boolean;
  narrowRange?: boolean;
}

/** The result of real (integer) quantization: the integers as floats and the scale used. */
export interface TensorQuantResult {
  outputs: NDArray;
  scale: NDArray;
}

export interface HistogramOptions {
  /** Drop exact zeros before binning (HistogramCalibrator's skip_zeros). */
  skipZeros?: boolean;
}

/**
 * The hot kernels, pluggable: `jsKernels` is the reference implementation; `@pq/kernels-gpu`
 * provides the same methods on gpu.js. Every implementation returns bit-identical results.
 */
export interface QuantKernels {
  readonly name: string;
  tensorQuant(x: NDArray, amax: AmaxLike, o?: QuantOptions): TensorQuantResult;
  fakeTensorQuant(x: NDArray, amax: AmaxLike, o?: QuantOptions): NDArray;
  reduceAmax(x: NDArray, axis?: number | readonly number[] | null, keepDims?: boolean): NDArray;
  /** Counts of `|x|` in `numBins` equal bins over `[0, max]` with torch.histc's rules. */
  histogram(x: NDArray, numBins: number, max: number, o?: HistogramOptions): Float64Array;
}
