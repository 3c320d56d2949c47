import type { AmaxLike, HistogramOptions, NDArray, QuantOptions, TensorQuantResult } from '@pq/core';
import { openAsync } from './backend.js';
import { CompiledKernels, resolveOptions, type GpuKernelsOptions } from './compiled-kernels.js';
import { AsyncCoreKernels } from './core-fallback.js';
import { runAsync } from './drive.js';
import { ASYNC_CHAIN, candidates } from './modes.js';
import { histogramPlan } from './plans/histogram.js';
import { quantPlan } from './plans/quant.js';
import { reduceAmaxPlan } from './plans/reduce-amax.js';
import { planContext, type Plan } from './plans/step.js';

/** QuantKernels whose methods return promises; the only form that can run on WebGPU. */
export interface AsyncGpuQuantKernels {
  readonly name: string;
  /** What runs: 'webgpu' where an adapter answers, else as createGpuKernels ('core' without a GPU). */
  readonly backend: string;
  /** Why `backend` runs (see GpuQuantKernels.reason). */
  readonly reason: string;
  readonly compiledKernels: number;
  tensorQuant(x: NDArray, amax: AmaxLike, o?: QuantOptions): Promise<TensorQuantResult>;
  fakeTensorQuant(x: NDArray, amax: AmaxLike, o?: QuantOptions): Promise<NDArray>;
  reduceAmax(x: NDArray, axis?: number | readonly number[] | null, keepDims?: boolean): Promise<NDArray>;
  histogram(x: NDArray, numBins: number, max: number, o?: HistogramOptions): Promise<Float64Array>;
  dispose(): void;
}

/**
 * Asynchronous gpu.js kernels: WebGPU (WGSL compute shaders) when `mode` is 'auto' or
 * 'webgpu' and an adapter answers, otherwise the synchronous chain behind promises.
 *
 * @example
 * const k = await createAsyncGpuKernels();
 * (await k.reduceAmax(ndarray([1, -3, 2]))).data; // Float32Array [3]
 */
export async function createAsyncGpuKernels(o: GpuKernelsOptions = {}): Promise<AsyncGpuQuantKernels> {
  const { mode, tile, warn } = resolveOptions('createAsyncGpuKernels', o);
  const opened = await openAsync(mode, candidates(mode, ASYNC_CHAIN), tile, warn);
  if (opened.backend === 'core') return new AsyncCoreKernels(opened.reason);
  return new AsyncGpuKernels(opened.cache, planContext(opened.backend, tile), opened.reason);
}

class AsyncGpuKernels extends CompiledKernels implements AsyncGpuQuantKernels {
  private async run<T>(plan: () => Plan<T>): Promise<T> {
    this.checkLive();
    return runAsync(plan(), (step) => this.cache.run(step));
  }

  async tensorQuant(x: NDArray, amax: AmaxLike, o?: QuantOptions): Promise<TensorQuantResult> {
    const { out, scale } = await this.run(() => quantPlan(x, amax, o, false, this.ctx));
    return { outputs: { data: out, shape: [...x.shape] }, scale };
  }

  async fakeTensorQuant(x: NDArray, amax: AmaxLike, o?: QuantOptions): Promise<NDArray> {
    const { out } = await this.run(() => quantPlan(x, amax, o, true, this.ctx));
    return { data: out, shape: [...x.shape] };
  }

  reduceAmax(x: NDArray, axis?: number | readonly number[] | null, keepDims = true): Promise<NDArray> {
    return this.run(() => reduceAmaxPlan(x, axis, keepDims, this.ctx));
  }

  histogram(x: NDArray, numBins: number, max: number, o?: HistogramOptions): Promise<Float64Array> {
    return this.run(() => histogramPlan(x, numBins, max, o, this.ctx));
  }
}
