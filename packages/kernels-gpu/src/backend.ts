// Opens a gpu.js instance on the first backend of the fallback chain that actually runs a
// kernel here (gpu.js can report a backend as supported and then fail to create a context).
// 'auto' also skips a GPU API that a CPU rasteriser serves (software-renderer.ts).

import { GPU } from 'gpu.js';
import { KernelCache } from './kernel-cache.js';
import { fallbackMessage, platformSupports, type GpuBackend, type GpuMode } from './modes.js';
import { planContext } from './plans/step.js';
import { selfTest, selfTestAsync } from './self-test.js';
import { adapterDescription, glDevice, softwareReason, type AdapterLike } from './software-renderer.js';

export interface OpenedBackend {
  readonly cache: KernelCache;
  readonly backend: GpuBackend;
  /** Why this backend runs, for the kernels' `reason`. */
  readonly reason: string;
}

/** 'auto' found no GPU backend worth running: @pq/core's jsKernels run, for `reason`. */
export interface CoreChoice {
  readonly backend: 'core';
  readonly reason: string;
}

export type WarnFn = (message: string) => void;

const PROBE = 'function (x) { return x[this.thread.x] * 2; }';

function chosen(requested: GpuMode, backend: GpuBackend, device: string, skipped: readonly string[], warn: WarnFn): string {
  const msg = fallbackMessage(requested, backend, skipped[0] ?? '');
  if (msg) warn(msg);
  if (requested !== 'auto') return msg ?? `mode '${backend}' as asked`;
  return `'auto' chose ${backend}: a GPU (${device || 'its name unreadable'}) that passes the self-test`;
}

function noneWorks(requested: GpuMode, skipped: readonly string[]): CoreChoice {
  if (requested !== 'auto') throw new Error(`@pq/kernels-gpu: no gpu.js backend works here (${skipped[0] ?? ''})`);
  return { backend: 'core', reason: `'auto' found no GPU backend faster than jsKernels: ${skipped.join('; ')}` };
}

/**
 * Tries `chain` in order; `requested` only shapes the warning, `passedOver` is why backends
 * before the chain were not used (the first reason goes in the warning). When nothing in the
 * chain works it throws, except for 'auto', which gets a CoreChoice (the caller runs
 * @pq/core's kernels).
 */
export function openSync(
  requested: GpuMode, chain: readonly GpuBackend[], tile: number, warn: WarnFn, passedOver: readonly string[] = [],
): OpenedBackend | CoreChoice {
  const skipped = [...passedOver];
  let webgl2Device = ''; // a browser serves WebGL 1 and 2 with one renderer: read it once
  for (const backend of chain) {
    if (backend === 'webgpu') continue;
    const device = requested !== 'auto' ? '' : (backend === 'webgl' && webgl2Device) || glDevice(backend);
    if (backend === 'webgl2') webgl2Device = device;
    const software = softwareReason(backend, device);
    if (software !== null) {
      skipped.push(software);
      continue;
    }
    if (!platformSupports(backend)) {
      skipped.push(`gpu.js reports no ${backend} support here`);
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
      skipped.push(`${backend} failed: ${(e as Error).message.split('\n')[0]}`);
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
      skipped.push(`${backend} is not bit-exact here: ${failed}`);
      cache.clear();
      void gpu.destroy();
      continue;
    }
    return { cache, backend, reason: chosen(requested, backend, device, skipped, warn) };
  }
  return noneWorks(requested, skipped);
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

interface WebGpuNavigator {
  readonly gpu?: { requestAdapter(): Promise<AdapterLike | null> };
}

/** The adapter WebGPU offers here (the one gpu.js will get), or null. */
function requestAdapter(): Promise<AdapterLike | null> {
  const gpu = (globalThis as { navigator?: WebGpuNavigator }).navigator?.gpu;
  return gpu ? gpu.requestAdapter() : Promise.resolve(null);
}

async function openWebGpu(gpu: GPU, tile: number): Promise<KernelCache> {
  const k = gpu.createKernel(PROBE, { output: [4] });
  const r = (await (k(Float32Array.of(1, 2, 3, 4)) as unknown as Promise<Float32Array>));
  if (r[3] !== 8) throw new Error(`a probe kernel computed ${String(r[3])} instead of 8`);
  k.destroy();
  const cache = new KernelCache(gpu, 'webgpu');
  const failed = await selfTestAsync(cache, planContext('webgpu', tile));
  if (failed !== null) throw new Error(`not bit-exact here: ${failed}`);
  return cache;
}

/** As openSync, trying WebGPU first where it is in the chain and an adapter answers. */
export async function openAsync(
  requested: GpuMode, chain: readonly GpuBackend[], tile: number, warn: WarnFn,
): Promise<OpenedBackend | CoreChoice> {
  const skipped: string[] = [];
  if (chain[0] === 'webgpu') {
    let adapter: AdapterLike | null = null;
    try {
      adapter = await within(requestAdapter(), WEBGPU_ANSWER_MS, 'the WebGPU adapter request');
      if (adapter === null) skipped.push('no WebGPU adapter answered');
    } catch (e) {
      skipped.push(`webgpu probe failed: ${(e as Error).message.split('\n')[0]}`);
    }
    const { description, fallback } = adapter ? adapterDescription(adapter) : { description: '', fallback: false };
    const software = adapter && requested === 'auto' ? softwareReason('webgpu', description, fallback) : null;
    if (software !== null) skipped.push(software);
    else if (adapter) {
      const gpu = new GPU({ mode: 'webgpu' });
      try {
        const cache = await within(openWebGpu(gpu, tile), WEBGPU_ANSWER_MS, 'the WebGPU probe and self-test');
        return { cache, backend: 'webgpu', reason: chosen(requested, 'webgpu', description, skipped, warn) };
      } catch (e) {
        skipped.push(`webgpu failed: ${(e as Error).message.split('\n')[0]}`);
        void gpu.destroy();
      }
    }
  }
  return openSync(requested, chain.filter((b) => b !== 'webgpu'), tile, warn, skipped);
}
