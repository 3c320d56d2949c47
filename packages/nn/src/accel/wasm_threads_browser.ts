// tfjs-wasm's threaded build on a chosen number of threads in a browser, for
// `enableAcceleration({ threads })`. On a cross-origin-isolated page tfjs starts that build by
// itself (its pthread workers from a blob: URL, the binary from the page's `setWasmPaths`), so pq
// keeps tfjs's own start-up, the 'wasm' factory tfjs registered, and only sets the count:
// `setThreadsCount(threads)`, and `navigator.hardwareConcurrency` at least 2 * threads while that
// factory runs, because tfjs's C++ halves the logical-core count (hyper-threading) and caps its
// pool by it, which leaves 1 thread on a 2-core machine. pq's SIMD kernels run on the build's
// shared memory (wasm_kernels.ts). A page that is not isolated has no SharedArrayBuffer, so
// there threads > 1 is refused, with the headers that would isolate it.
import * as tf from '@tensorflow/tfjs-core';
import type { WasmPackage } from './wasm_emscripten.js';

type Factory = () => tf.KernelBackend | Promise<tf.KernelBackend>;

/** tfjs's own 'wasm' factory, kept the first time pq replaces it. */
let stock: Factory | null = null;
let wasmPackage: WasmPackage | null = null;

/** Why `threads` cannot run on this page, or null when they can (or the page is not asked for more than 1). */
export function isolationRefusal(threads: number): string | null {
  if (threads <= 1 || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true) return null;
  return (
    `enableAcceleration: threads (${threads}) need a cross-origin-isolated page (for SharedArrayBuffer), and this one is not ` +
    '(crossOriginIsolated is false): serve it with the headers Cross-Origin-Opener-Policy: same-origin and ' +
    'Cross-Origin-Embedder-Policy: require-corp, or ask for threads: 1'
  );
}

/** The tfjs-wasm package, for the thread count its running backend reports. */
export function rememberWasmPackage(p: WasmPackage): void {
  wasmPackage = p;
}

/** Threads of the running tfjs-wasm backend, or null when none has started yet. */
export function browserWasmThreads(): number | null {
  const n = wasmPackage?.getThreadsCount() ?? -1;
  return n > 0 ? n : null;
}

/** A 'wasm' factory: tfjs's own start-up, on `threads` threads. Call it before 'wasm' is removed. */
export function browserWasmFactory(p: WasmPackage, threads: number): () => Promise<tf.KernelBackend> {
  stock ??= tf.findBackendFactory('wasm') as Factory | null;
  const start = stock;
  if (start === null) throw new Error("enableAcceleration: tfjs-wasm's 'wasm' backend is not registered (import @tensorflow/tfjs-backend-wasm)");
  return async () => {
    if (threads > 1) await checkThreadedBuild();
    p.setThreadsCount(threads);
    const backend = await withLogicalCores(2 * threads, start);
    const got = p.getThreadsCount();
    if (got !== threads) {
      backend.dispose();
      throw new Error(
        `enableAcceleration: tfjs-wasm started ${got} thread(s), not the ${threads} asked for (its threaded build is not used ` +
          'when setWasmPath() names one binary: give setWasmPaths() a folder or a map of all three)',
      );
    }
    return backend;
  };
}

async function checkThreadedBuild(): Promise<void> {
  const [threaded, simd] = await Promise.all([tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'), tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')]);
  if (!threaded || !simd) {
    throw new Error(`enableAcceleration: tfjs-wasm's threaded build needs WebAssembly threads and SIMD; this browser lacks ${threaded ? 'SIMD' : 'threads'}`);
  }
}

/**
 * `start()` with navigator.hardwareConcurrency reporting at least `cores` (an own property
 * shadowing the prototype's getter, deleted afterwards), for tfjs's C++ to read.
 */
async function withLogicalCores(cores: number, start: Factory): Promise<tf.KernelBackend> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav === undefined || (nav.hardwareConcurrency ?? 0) >= cores) return start();
  Object.defineProperty(nav, 'hardwareConcurrency', { value: cores, configurable: true });
  try {
    return await start();
  } finally {
    delete nav.hardwareConcurrency;
  }
}
