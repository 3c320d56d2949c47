// @pq/core: simulated quantization math on float32 typed arrays, bit-exact with NVIDIA
// pytorch-quantization 2.2.1. Zero runtime dependencies.
export type {
  AmaxLike, HistogramOptions, NDArray, QuantKernels, QuantOptions, TensorQuantResult,
} from './types.js';
export { ndarray, scalar, zeros, checkNDArray, amaxArray } from './ndarray.js';
export {
  shapeSize, shapeStrides, checkShape, normalizeAxis, normalizeAxes, checkAxisOption, broadcastTo, sameShape, formatShape,
} from './shape.js';
export { checkOptions, describeValue, isNumberArray, type OptionKind, type OptionSpec } from './options.js';
export { rint } from './rint.js';
export { maxBound, minBound, checkNumBits, resolveQuantOptions, type ResolvedQuantOptions } from './bounds.js';
export { blockPlan, forEachBlock, type BlockPlan } from './layout.js';
export { AMAX_EPSILON, checkAmax, quantScales, type QuantScales } from './quant-scale.js';
export { tensorQuant, fakeTensorQuant, fakeTensorQuantInto, tensorQuantInto } from './tensor-quant.js';
export { fakeTensorQuantGrad } from './tensor-quant-grad.js';
export {
  blockLayout, blockAmaxShape, blockAxes, checkBlockSizesOption, formatBlockSizes, type BlockLayout, type BlockSizes, type BlockSizesOption,
} from './block-layout.js';
export {
  reduceBlockAmax, fakeBlockQuant, fakeBlockQuantInto, blockQuant, scaledE4M3Block, e4m3BlockQuant, fakeBlockQuantGrad,
} from './block-quant.js';
export { reduceAmax } from './reduce-amax.js';
export { checkHistogramArgs, histc, histogram } from './histogram.js';
export { jsKernels } from './js-kernels.js';
export { fakeAffineTensorQuant, fakeAffineTensorQuantGrad } from './fake-affine.js';
export { E4M3_MAX, e4m3Round, scaledE4M3, scaledE4M3Grad } from './e4m3.js';
export {
  QuantDescriptor,
  QUANT_DESC_8BIT_PER_TENSOR,
  QUANT_DESC_UNSIGNED_8BIT_PER_TENSOR,
  QUANT_DESC_8BIT_CONV1D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONV3D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW,
  QUANT_DESC_8BIT_CONVTRANSPOSE1D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONVTRANSPOSE2D_WEIGHT_PER_CHANNEL,
  QUANT_DESC_8BIT_CONVTRANSPOSE3D_WEIGHT_PER_CHANNEL,
  type CalibMethod,
  type E4M3Bits,
  type QuantDescriptorJSON,
  type QuantDescriptorOptions,
} from './quant-descriptor.js';
export { configureSimd, simdActive } from './simd-loops.js';
