// @pq/core: simulated quantization math on float32 typed arrays, bit-exact with NVIDIA
// pytorch-quantization 2.2.1. Zero runtime dependencies.
export type {
  AmaxLike, HistogramOptions, NDArray, QuantKernels, QuantOptions, TensorQuantResult,
} from './types.js';
export { ndarray, scalar, zeros, checkNDArray, amaxArray } from './ndarray.js';
export {
  shapeSize, shapeStrides, checkShape, normalizeAxis, normalizeAxes, broadcastTo, sameShape, formatShape,
} from './shape.js';
export { rint } from './rint.js';
export { maxBound, minBound, checkNumBits } from './bounds.js';
export { blockPlan, forEachBlock, type BlockPlan } from './layout.js';
export { AMAX_EPSILON, checkAmax, quantScales, type QuantScales } from './quant-scale.js';
export { tensorQuant, fakeTensorQuant } from './tensor-quant.js';
export { fakeTensorQuantGrad } from './tensor-quant-grad.js';
export { reduceAmax } from './reduce-amax.js';
export { histc, histogram } from './histogram.js';
export { jsKernels } from './js-kernels.js';
