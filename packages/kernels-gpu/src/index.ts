// @pq/kernels-gpu: @pq/core's QuantKernels on gpu.js (WebGPU, WebGL, WebAssembly SIMD or plain
// JS), bit-identical to jsKernels.
export { createGpuKernels, type GpuKernelsOptions, type GpuQuantKernels } from './gpu-kernels.js';
export { createAsyncGpuKernels, type AsyncGpuQuantKernels } from './async-gpu-kernels.js';
export { GPU_MODES, type GpuMode, type GpuBackend } from './modes.js';
export { DEFAULT_TILE_ELEMENTS, MAX_TILE_ELEMENTS } from './limits.js';
export { softwareRenderer } from './software-renderer.js';
