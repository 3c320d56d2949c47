// The switch between tfjs's single-threaded wasm backend and its threaded one (XNNPACK on a pool
// of pthreads), for `enableAcceleration({ threads })`. On Node both are built by default_node.ts
// (see wasm_threaded_node.ts for how the threaded one starts there), which hands its two
// factories here; in a browser nothing is handed over and tfjs's own start-up runs on the
// threads asked for (wasm_threads_browser.ts), on a cross-origin-isolated page only.
// Switching replaces the 'wasm' backend: tensors living on the old one would be lost, so a
// switch while it holds any is refused.
import * as tf from '@tensorflow/tfjs-core';
import type { WasmPackage } from './wasm_emscripten.js';
import { browserWasmFactory, browserWasmThreads, isolationRefusal, rememberWasmPackage } from './wasm_threads_browser.js';

/** The most threads: tfjs-wasm's pthread pool has 8 workers and XNNPACK uses at most 8. */
export const MAX_WASM_THREADS = 8;

export interface NodeWasmBackends {
  /** The single-threaded backend, built synchronously. */
  single(): tf.KernelBackend;
  /** The threaded backend on `threads` threads (the caller's plus threads - 1 workers). */
  threaded(threads: number): Promise<tf.KernelBackend>;
  /** tfjs-backend-wasm's priority for 'wasm'. */
  priority: number;
}

/** tfjs-backend-wasm's priority for 'wasm', where default_node.ts has not said it. */
const WASM_PRIORITY = 2;

let backends: NodeWasmBackends | null = null;
/** Threads of the 'wasm' backend pq registered; null while it is tfjs's own (a browser's default). */
let current: number | null = null;
/** Why the last asynchronous start of a 'wasm' backend failed (tfjs logs it and reports only false). */
let failure: unknown = null;

/** Called once by default_node.ts. */
export function provideNodeWasmBackends(b: NodeWasmBackends): void {
  backends = b;
  current = 1;
}

/** Threads the 'wasm' backend uses: 1 on Node until a switch; in a browser, what tfjs-wasm reports. */
export function wasmThreads(): number {
  return (backends === null ? browserWasmThreads() : null) ?? current ?? 1;
}

/** ': <why>' when the last start of a 'wasm' backend failed, else ''. */
export function wasmStartFailure(): string {
  if (failure === null) return '';
  return `: ${(failure instanceof Error ? failure.message : String(failure)).replace(/^enableAcceleration: /, '')}`;
}

/** `threads` checked; undefined (keep the threads in use) stays undefined. */
export function checkThreads(threads: unknown): number | undefined {
  if (threads === undefined) return undefined;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new Error(`enableAcceleration: threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${String(threads)}`);
  }
  const refusal = tf.env().get('IS_NODE') ? null : isolationRefusal(threads);
  if (refusal !== null) throw new Error(refusal);
  return threads;
}

/**
 * Registers the 'wasm' backend with `threads` threads, replacing the one registered now;
 * undefined keeps the one registered. `wasm` is the tfjs-backend-wasm package.
 */
export function useWasmThreads(threads: number | undefined, wasm: WasmPackage): void {
  rememberWasmPackage(wasm);
  failure = null;
  if (threads === undefined || threads === current) return;
  if (backends === null && tf.env().get('IS_NODE')) {
    if (threads === 1) return; // tfjs's own wasm backend, started before pq: single-threaded under Node
    throw new Error(
      "enableAcceleration: threads on Node need pq's start-up of tfjs-wasm (import @pq/nn before starting tfjs's wasm backend)",
    );
  }
  const engine = tf.engine();
  const live = (engine.registry['wasm'] as { numDataIds?: () => number } | undefined)?.numDataIds?.() ?? 0;
  if (live > 0) {
    throw new Error(
      `enableAcceleration: switching the wasm backend to ${threads} thread(s) would drop the ${live} tensor(s) it holds; ` +
        'call enableAcceleration({ threads }) before creating models or tensors',
    );
  }
  const b = backends;
  // Node's single-threaded backend starts synchronously (tfjs then needs no `await tf.ready()`).
  const factory = b === null ? surfaced(browserWasmFactory(wasm, threads)) : threads > 1 ? surfaced(() => b.threaded(threads)) : () => b.single();
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, b?.priority ?? WASM_PRIORITY);
  current = threads;
}

/** `start`, its failure kept for wasmStartFailure(). */
function surfaced(start: () => Promise<tf.KernelBackend>): () => Promise<tf.KernelBackend> {
  return async () => {
    failure = null;
    try {
      return await start();
    } catch (e) {
      failure = e;
      throw e;
    }
  };
}
