// What this browser offers of the tfjs backends (probed), and switching to one; the default
// among them is backendChoice.ts's.
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { softwareRenderer } from '@pq/kernels-gpu';
import { enableAcceleration } from '@pq/nn';
import type { BackendInfo } from './backendChoice.js';
import type { BackendChoice } from './config.js';

export { type BackendInfo, fastestBackend, wasmThreads } from './backendChoice.js';

interface GpuAdapterLike {
  readonly info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  readonly isFallbackAdapter?: boolean;
}

async function probeWebGpu(): Promise<BackendInfo> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) return { name: 'webgpu', available: false, software: false, detail: 'navigator.gpu is missing' };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { name: 'webgpu', available: false, software: false, detail: 'no WebGPU adapter' };
  const info = adapter.info ?? {};
  const detail = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'adapter';
  const software = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || softwareRenderer(detail) !== null;
  return { name: 'webgpu', available: true, software, detail };
}

function probeWebGl(): BackendInfo {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return { name: 'webgl', available: false, software: false, detail: 'no WebGL2 context' };
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { name: 'webgl', available: true, software: softwareRenderer(renderer) !== null, detail: renderer };
}

function probeWasm(): BackendInfo {
  const threads = globalThis.crossOriginIsolated ? 'threads (cross-origin isolated)' : 'one thread (the page is not cross-origin isolated)';
  return { name: 'wasm', available: typeof WebAssembly === 'object', software: true, detail: `XNNPACK, SIMD, ${threads}` };
}

export async function probeBackends(): Promise<BackendInfo[]> {
  return [await probeWebGpu(), probeWebGl(), probeWasm()];
}

/**
 * Whether the backend reads tensors back synchronously and right: pq's training step, its
 * predictions and its fake-quant kernels use dataSync / readSync. tfjs's WebGPU backend does
 * this through a canvas; in headless Chromium 150 on SwiftShader that returns zeros and loses
 * the device, so the page refuses it instead of training on garbage.
 */
function readsBackSynchronously(): boolean {
  const sum = tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3, 4])).dataSync()[0]);
  return sum === 10;
}

/**
 * Makes `name` tfjs's backend, with pq's accelerated kernels on wasm, on `threads` threads.
 * Returns what runs: wasm, with the reason, when a GPU backend cannot read back synchronously
 * here; and the wasm backend's threads (null on a GPU backend).
 */
export async function useBackend(name: BackendChoice, threads: number): Promise<{ backend: BackendChoice; note: string | null; threads: number | null }> {
  if (name !== 'wasm') {
    if (name === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
    else await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend failed to initialise`);
    await tf.ready();
    if (readsBackSynchronously()) return { backend: name, note: null, threads: null };
    tf.removeBackend(name);
  }
  setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
  const state = await enableAcceleration({ backend: 'wasm', threads });
  const note = name === 'wasm' ? null
    : `${name} was asked for, but tfjs's ${name} backend reads tensors back wrong synchronously in this browser ` +
      '(pq\'s training and fake-quant kernels need synchronous reads): running on wasm';
  return { backend: 'wasm', note, threads: state.threads };
}
