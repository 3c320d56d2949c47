import type { AmaxLike, HistogramOptions, NDArray, QuantKernels, QuantOptions, TensorQuantResult } from '@pq/core';
import { openSync } from './backend.js';
import { CompiledKernels, resolveOptions, type GpuKernelsOptions } from './compiled-kernels.js';
import { CoreKernels } from './core-fallback.js';
import { runSync } from './drive.js';
import { candidates, SYNC_CHAIN } from './modes.js';
import { histogramPlan } from './plans/histogram.js';
import { quantPlan } from './plans/quant.js';
import { reduceAmaxPlan } from './plans/reduce-amax.js';
import { planContext, type Plan } from './plans/step.js';

export type { GpuKernelsOptions } from './compiled-kernels.js';

/** @pq/core's QuantKernels on gpu.js, bit-identical to jsKernels. */
export interface GpuQuantKernels extends QuantKernels {
  /**
   * What runs: a gpu.js backend ('headlessgl', 'webgl2', 'webgl', 'webasm', 'cpu'), or 'core'
   * when 'auto' found no GPU backend faster than @pq/core's jsKernels and runs those.
   */
  readonly backend: string;
  /**
   * Why `backend` runs, e.g. "'auto' found no GPU backend faster than jsKernels: ...; webgl2 is
   * a software renderer (SwiftShader), slower than jsKernels", or the fallback warning.
   */
  readonly reason: string;
  /** Kernels compiled so far (one per kernel variant and tile shape; later calls reuse them). */
  readonly compiledKernels: number;
  /** Destroys the compiled kernels and the gpu.js instance; later calls throw. */
  dispose(): void;
}

/**
 * Synchronous gpu.js kernels. WebGPU reads back only asynchronously, so `mode: 'webgpu'` here
 * falls back (with a warning) — use createAsyncGpuKernels for it.
 *
 * @example
 * const k = createGpuKernels({ mode: 'webasm' });
 * k.fakeTensorQuant(ndarray([0.3, -1]), 1).data; // Float32Array [0.29921260476112366, -1]
 */
export function createGpuKernels(o: GpuKernelsOptions = {}): GpuQuantKernels {
  const { mode, tile, warn } = resolveOptions('createGpuKernels', o);
  const why = mode === 'webgpu' ? ['WebGPU kernels are asynchronous; use createAsyncGpuKernels'] : [];
  const opened = openSync(mode, candidates(mode, SYNC_CHAIN), tile, warn, why);
  if (opened.backend === 'core') return new CoreKernels(opened.reason);
  return new SyncGpuKernels(opened.cache, planContext(opened.backend, tile), opened.reason);
}

/** The synchronous kernels over a compiled-kernel cache (exported for tests of the GPU code paths). */
export class SyncGpuKernels extends CompiledKernels implements GpuQuantKernels {
  private run<T>(plan: Plan<T>): T {
    this.checkLive();
    return runSync(plan, (step) => this.cache.runSync(step));
  }

  tensorQuant(x: NDArray, amax: AmaxLike, o?: QuantOptions): TensorQuantResult {
    const { out, scale } = this.run(quantPlan(x, amax, o, false, this.ctx));
    return { outputs: { data: out, shape: [...x.shape] }, scale };
  }

  fakeTensorQuant(x: NDArray, amax: AmaxLike, o?: QuantOptions): NDArray {
    return { data: this.run(quantPlan(x, amax, o, true, this.ctx)).out, shape: [...x.shape] };
  }

  reduceAmax(x: NDArray, axis?: number | readonly number[] | null, keepDims = true): NDArray {
    return this.run(reduceAmaxPlan(x, axis, keepDims, this.ctx));
  }

  histogram(x: NDArray, numBins: number, max: number, o?: HistogramOptions): Float64Array {
    return this.run(histogramPlan(x, numBins, max, o, this.ctx));
  }
}
