// Opens a gpu.js instance on the first backend of the fallback chain that actually runs a
// kernel here (gpu.js can report a backend as supported and then fail to create a context).

import { GPU } from 'gpu.js';
import { KernelCache } from './kernel-cache.js';
import { fallbackMessage, platformSupports, type GpuBackend, type GpuMode } from './modes.js';
import { planContext } from './plans/step.js';
import { selfTest, selfTestAsync } from './self-test.js';

export interface OpenedBackend {
  readonly cache: KernelCache;
  readonly backend: GpuBackend;
}

export type WarnFn = (message: string) => void;

const PROBE = 'function (x) { return x[this.thread.x] * 2; }';

/**
 * Tries `chain` in order; `requested` only shapes the warning. When nothing in the chain works
 * it throws, except for 'auto', which gets null (the caller runs @pq/core's kernels).
 */
export function openSync(
  requested: GpuMode, chain: readonly GpuBackend[], tile: number, warn: WarnFn, why0?: string,
): OpenedBackend | null {
  let why = why0 ?? '';
  for (const backend of chain) {
    if (backend === 'webgpu') continue;
    if (!platformSupports(backend)) {
      why ||= `gpu.js reports no ${backend} support here`;
      continue;
    }
    const gpu = new GPU({ mode: backend });
    try {
      const k = gpu.createKernel(PROBE, { output: [4] });
      const r = k(Float32Array.of(1, 2, 3, 4)) as Float32Array;
      // gpu.js swaps a kernel it cannot build for a CPU one; every GL class reports mode 'gpu',
      // so compare the class that ran with the one gpu.js chose for this backend
      const ran = k.kernel.constructor as unknown as { mode?: string };
      if (r[3] !== 8) throw new Error(`a probe kernel computed ${String(r[3])} instead of 8`);
      if (ran !== (gpu as unknown as { Kernel: unknown }).Kernel) throw new Error(`gpu.js degraded the probe kernel to ${String(ran.mode)}`);
      k.destroy();
    } catch (e) {
      why ||= `${backend} failed: ${(e as Error).message.split('\n')[0]}`;
      void gpu.destroy();
      continue;
    }
    const cache = new KernelCache(gpu, backend);
    let failed: string | null;
    try {
      failed = selfTest(cache, planContext(backend, tile));
    } catch (e) {
      failed = `its kernels failed: ${(e as Error).message.split('\n')[0]}`;
    }
    if (failed !== null) {
      why ||= `${backend} is not bit-exact here: ${failed}`;
      cache.clear();
      void gpu.destroy();
      continue;
    }
    const msg = fallbackMessage(requested, backend, why);
    if (msg) warn(msg);
    return { cache, backend };
  }
  if (requested === 'auto') return null;
  throw new Error(`@pq/kernels-gpu: no gpu.js backend works here (${why})`);
}

/** How long WebGPU may take to answer each of: the adapter request, the probe plus self-test. */
const WEBGPU_ANSWER_MS = 20_000;

/** `p`, or a rejection naming `what` when it has not settled within `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function openWebGpu(gpu: GPU, tile: number): Promise<OpenedBackend> {
  const k = gpu.createKernel(PROBE, { output: [4] });
  const r = (await (k(Float32Array.of(1, 2, 3, 4)) as unknown as Promise<Float32Array>));
  if (r[3] !== 8) throw new Error(`a probe kernel computed ${String(r[3])} instead of 8`);
  k.destroy();
  const cache = new KernelCache(gpu, 'webgpu');
  const failed = await selfTestAsync(cache, planContext('webgpu', tile));
  if (failed !== null) throw new Error(`not bit-exact here: ${failed}`);
  return { cache, backend: 'webgpu' };
}

/** As openSync, trying WebGPU first where it is in the chain and an adapter answers. */
export async function openAsync(
  requested: GpuMode, chain: readonly GpuBackend[], tile: number, warn: WarnFn,
): Promise<OpenedBackend | null> {
  let why = '';
  if (chain[0] === 'webgpu') {
    let available = false;
    try {
      available = await within(GPU.isWebGPUAvailable(), WEBGPU_ANSWER_MS, 'the WebGPU adapter request');
    } catch (e) {
      why = `webgpu probe failed: ${(e as Error).message.split('\n')[0]}`;
    }
    if (available) {
      const gpu = new GPU({ mode: 'webgpu' });
      try {
        return await within(openWebGpu(gpu, tile), WEBGPU_ANSWER_MS, 'the WebGPU probe and self-test');
      } catch (e) {
        why = `webgpu failed: ${(e as Error).message.split('\n')[0]}`;
        void gpu.destroy();
      }
    } else {
      why ||= 'no WebGPU adapter answered';
    }
  }
  return openSync(requested, chain.filter((b) => b !== 'webgpu'), tile, warn, why);
}
