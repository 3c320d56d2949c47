// Which gpu.js backend runs. A requested mode that this platform cannot run falls back along
// the chain (fastest first) with a one-line warning naming what was asked for and what runs.

import { GPU } from 'gpu.js';

export type GpuMode = 'auto' | 'webgpu' | 'headlessgl' | 'webgl2' | 'webgl' | 'webasm' | 'cpu';
export type GpuBackend = Exclude<GpuMode, 'auto'>;

export const GPU_MODES: readonly GpuMode[] = ['auto', 'webgpu', 'headlessgl', 'webgl2', 'webgl', 'webasm', 'cpu'];

/** Backends with synchronous kernels, fastest first. WebGPU only reads back asynchronously. */
export const SYNC_CHAIN: readonly GpuBackend[] = ['headlessgl', 'webgl2', 'webgl', 'webasm', 'cpu'];
export const ASYNC_CHAIN: readonly GpuBackend[] = ['webgpu', ...SYNC_CHAIN];

export function checkMode(mode: unknown): GpuMode {
  if (typeof mode !== 'string' || !(GPU_MODES as readonly string[]).includes(mode)) {
    throw new TypeError(`mode must be one of ${GPU_MODES.map((m) => `'${m}'`).join(', ')}, got ${String(mode)}`);
  }
  return mode as GpuMode;
}

/**
 * gpu.js backends that run on the CPU. 'auto' skips them: @pq/core's jsKernels are at least as
 * fast there (see core-fallback.ts), so 'auto' without a GPU runs those.
 */
export const CPU_BACKENDS: readonly GpuBackend[] = ['webasm', 'cpu'];

/** The backends to try for `mode`, in order: the requested one and those after it ('auto': the GPU ones). */
export function candidates(mode: GpuMode, chain: readonly GpuBackend[]): GpuBackend[] {
  if (mode === 'auto') return chain.filter((b) => !CPU_BACKENDS.includes(b));
  const at = chain.indexOf(mode);
  return at < 0 ? [...chain] : chain.slice(at);
}

/** gpu.js's own (synchronous) answer to "can this backend run here?". */
export function platformSupports(backend: GpuBackend): boolean {
  switch (backend) {
    case 'headlessgl':
      return GPU.isHeadlessGLSupported;
    case 'webgl2':
      return GPU.isWebGL2Supported;
    case 'webgl':
      return GPU.isWebGLSupported;
    case 'webasm':
      return GPU.isWebAssemblySupported;
    case 'cpu':
      return true;
    case 'webgpu':
      return GPU.isWebGPUSupported;
  }
}

/** The fallback warning, or null when what runs is what was asked for (or 'auto' was asked). */
export function fallbackMessage(requested: GpuMode, actual: GpuBackend, why: string): string | null {
  if (requested === 'auto' || requested === actual) return null;
  return `@pq/kernels-gpu: mode '${requested}' is not available (${why}); running on '${actual}'`;
}
