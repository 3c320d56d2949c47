// @pq/kernels-native: matmul and convolution kernels (forward, input and filter gradients) as a
// Node-API addon built for AVX2+FMA, with plain-JavaScript reference kernels as the oracle.
export type { Conv2dGeometry, CpuKernels } from './kernels.js';
export { referenceKernels } from './reference.js';
export { loadNativeKernels, nativeUnavailableReason, type LoadOptions } from '#native-loader';
