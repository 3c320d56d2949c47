// @pq/kernels-native: matmul, convolution (forward, input and filter gradients) and max-pooling
// gradient kernels as a Node-API addon built for AVX2+FMA, with plain-JavaScript reference
// kernels as the oracle.
export type { Conv2dGeometry, CpuKernels, Pool2dGeometry } from './kernels.js';
export { channelsFirstDirect } from './kernels.js';
export { referenceKernels } from './reference.js';
export { loadNativeKernels, nativeUnavailableReason, type LoadOptions } from '#native-loader';
