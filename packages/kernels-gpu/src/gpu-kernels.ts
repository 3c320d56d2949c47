import { checkOptions, type AmaxLike, type HistogramOptions, type NDArray, type QuantKernels, type QuantOptions, type TensorQuantResult } from '@pq/core';
import { openSync, type WarnFn } from './backend.js';
import { CoreKernels } from './core-fallback.js';
import { runSync } from './drive.js';
import type { KernelCache } from './kernel-cache.js';
import { checkTileElements, DEFAULT_TILE_ELEMENTS } from './limits.js';
import { candidates, checkMode, SYNC_CHAIN, type GpuBackend, type GpuMode } from './modes.js';
import { histogramPlan } from './plans/histogram.js';
import { quantPlan } from './plans/quant.js';
import { reduceAmaxPlan } from './plans/reduce-amax.js';
import { planContext, type Plan, type PlanContext } from './plans/step.js';

export interface GpuKernelsOptions {
  /**
   * Backend to run on. Default 'auto': the first GPU backend that works here, else @pq/core's
   * own jsKernels (`backend` 'core'), which beat gpu.js's CPU backends on a CPU.
   */
  mode?: GpuMode;
  /**
   * Most elements one kernel call reads or writes (default 2^22); bigger tensors are tiled.
   * Lower it to bound memory, or to exercise tiling in tests.
   */
  tileElements?: number;
  /** Where the fallback warning goes (default console.warn). */
  onWarning?: WarnFn;
}

/** The option kinds of createGpuKernels / createAsyncGpuKernels. */
export const GPU_KERNELS_OPTIONS = { mode: 'string', tileElements: 'integer', onWarning: 'function' } as const;

/** @pq/core's QuantKernels on gpu.js, bit-identical to jsKernels. */
export interface GpuQuantKernels extends QuantKernels {
  /**
   * What runs: a gpu.js backend ('headlessgl', 'webgl2', 'webgl', 'webasm', 'cpu'), or 'core'
   * when 'auto' found no GPU and runs @pq/core's jsKernels.
   */
  readonly backend: string;
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
  checkOptions('createGpuKernels', o, GPU_KERNELS_OPTIONS);
  const mode = checkMode(o.mode ?? 'auto');
  const tile = checkTileElements(o.tileElements ?? DEFAULT_TILE_ELEMENTS);
  const warn = o.onWarning ?? ((m: string) => console.warn(m));
  const why = mode === 'webgpu' ? 'WebGPU kernels are asynchronous; use createAsyncGpuKernels' : undefined;
  const opened = openSync(mode, candidates(mode, SYNC_CHAIN), tile, warn, why);
  if (opened === null) return new CoreKernels();
  return new SyncGpuKernels(opened.cache, planContext(opened.backend, tile));
}

/** The synchronous kernels over a compiled-kernel cache (exported for tests of the GPU code paths). */
export class SyncGpuKernels implements GpuQuantKernels {
  readonly name: string;
  readonly backend: GpuBackend;
  private disposed = false;

  constructor(private readonly cache: KernelCache, private readonly ctx: PlanContext) {
    this.backend = cache.backend;
    this.name = `gpu.js:${cache.backend}`;
  }

  get compiledKernels(): number {
    return this.cache.compiled;
  }

  private run<T>(plan: Plan<T>): T {
    if (this.disposed) throw new Error(`${this.name} kernels were disposed`);
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

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cache.clear();
    void this.cache.gpu.destroy();
  }
}
