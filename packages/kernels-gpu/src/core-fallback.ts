// What 'auto' runs when no GPU backend works here: @pq/core's own jsKernels (WebAssembly SIMD
// where available). gpu.js's CPU backends are never faster: on a CPU, webasm is about 1.5x
// slower than jsKernels at fake quant and 7x at reduceAmax, cpu slower still (the README's
// bench), so 'auto' picks them only when asked by name; nor are GPU APIs that a CPU
// rasteriser serves (software-renderer.ts).
import { jsKernels, type AmaxLike, type HistogramOptions, type NDArray, type QuantOptions, type TensorQuantResult } from '@pq/core';
import type { AsyncGpuQuantKernels } from './async-gpu-kernels.js';
import type { GpuQuantKernels } from './gpu-kernels.js';

/** `backend` of kernels that run @pq/core's jsKernels. */
export const CORE_BACKEND = 'core';

/** jsKernels behind the GpuQuantKernels interface: `backend` 'core', nothing compiled. */
export class CoreKernels implements GpuQuantKernels {
  readonly name = jsKernels.name;
  readonly backend = CORE_BACKEND;
  readonly compiledKernels = 0;
  private disposed = false;

  constructor(readonly reason: string) {}

  private check(): void {
    if (this.disposed) throw new Error(`${this.name} kernels (backend '${CORE_BACKEND}') were disposed`);
  }

  tensorQuant(x: NDArray, amax: AmaxLike, o?: QuantOptions): TensorQuantResult {
    this.check();
    return jsKernels.tensorQuant(x, amax, o);
  }

  fakeTensorQuant(x: NDArray, amax: AmaxLike, o?: QuantOptions): NDArray {
    this.check();
    return jsKernels.fakeTensorQuant(x, amax, o);
  }

  reduceAmax(x: NDArray, axis?: number | readonly number[] | null, keepDims?: boolean): NDArray {
    this.check();
    return jsKernels.reduceAmax(x, axis, keepDims);
  }

  histogram(x: NDArray, numBins: number, max: number, o?: HistogramOptions): Float64Array {
    this.check();
    return jsKernels.histogram(x, numBins, max, o);
  }

  dispose(): void {
    this.disposed = true;
  }
}

/** The same, with the asynchronous API's promises. */
export class AsyncCoreKernels implements AsyncGpuQuantKernels {
  private readonly k: CoreKernels;
  readonly name = jsKernels.name;
  readonly backend = CORE_BACKEND;
  readonly compiledKernels = 0;

  constructor(readonly reason: string) {
    this.k = new CoreKernels(reason);
  }

  tensorQuant(x: NDArray, amax: AmaxLike, o?: QuantOptions): Promise<TensorQuantResult> {
    return new Promise((resolve) => resolve(this.k.tensorQuant(x, amax, o)));
  }

  fakeTensorQuant(x: NDArray, amax: AmaxLike, o?: QuantOptions): Promise<NDArray> {
    return new Promise((resolve) => resolve(this.k.fakeTensorQuant(x, amax, o)));
  }

  reduceAmax(x: NDArray, axis?: number | readonly number[] | null, keepDims?: boolean): Promise<NDArray> {
    return new Promise((resolve) => resolve(this.k.reduceAmax(x, axis, keepDims)));
  }

  histogram(x: NDArray, numBins: number, max: number, o?: HistogramOptions): Promise<Float64Array> {
    return new Promise((resolve) => resolve(this.k.histogram(x, numBins, max, o)));
  }

  dispose(): void {
    this.k.dispose();
  }
}
