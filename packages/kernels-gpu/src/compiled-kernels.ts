// What the synchronous and asynchronous kernels share: the options both factories take, and the
// compiled-kernel cache with its name, count and disposal. Only how a plan is driven differs.
import { checkOptions } from '@pq/core';
import type { WarnFn } from './backend.js';
import type { KernelCache } from './kernel-cache.js';
import { checkTileElements, DEFAULT_TILE_ELEMENTS } from './limits.js';
import { checkMode, type GpuBackend, type GpuMode } from './modes.js';
import type { PlanContext } from './plans/step.js';

export interface GpuKernelsOptions {
  /**
   * Backend to run on. Default 'auto': the first GPU backend that works here and is not a
   * software renderer (SwiftShader, llvmpipe, ...), else @pq/core's own jsKernels
   * (`backend` 'core'), which beat gpu.js's CPU backends and software GPUs on a CPU.
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

/** The options of createGpuKernels / createAsyncGpuKernels, checked, with their defaults. */
export function resolveOptions(who: string, o: GpuKernelsOptions): { mode: GpuMode; tile: number; warn: WarnFn } {
  checkOptions(who, o, { mode: 'string', tileElements: 'integer', onWarning: 'function' });
  return {
    mode: checkMode(o.mode ?? 'auto'),
    tile: checkTileElements(o.tileElements ?? DEFAULT_TILE_ELEMENTS),
    warn: o.onWarning ?? ((m: string) => console.warn(m)),
  };
}

/** Kernels over a compiled-kernel cache; subclasses drive the plans (sync or async). */
export abstract class CompiledKernels {
  readonly name: string;
  readonly backend: GpuBackend;
  private disposed = false;

  constructor(
    protected readonly cache: KernelCache,
    protected readonly ctx: PlanContext,
    readonly reason = `mode '${cache.backend}' as asked`,
  ) {
    this.backend = cache.backend;
    this.name = `gpu.js:${cache.backend}`;
  }

  /** Kernels compiled so far (one per kernel variant and tile shape; later calls reuse them). */
  get compiledKernels(): number {
    return this.cache.compiled;
  }

  protected checkLive(): void {
    if (this.disposed) throw new Error(`${this.name} kernels were disposed`);
  }

  /** Destroys the compiled kernels and the gpu.js instance; later calls throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cache.clear();
    void this.cache.gpu.destroy();
  }
}
