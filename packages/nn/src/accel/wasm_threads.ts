// The switch between tfjs's single-threaded wasm backend and its threaded one (XNNPACK on a pool
// of pthreads), for `enableAcceleration({ threads })`. Both are built by default_node.ts (Node
// only; see wasm_threaded_node.ts for how the threaded one starts there), which hands its two
// factories here; in browsers nothing is handed over and threads > 1 is refused with the reason.
// Switching replaces the 'wasm' backend: tensors living on the old one would be lost, so a
// switch while it holds any is refused.
import * as tf from '@tensorflow/tfjs-core';

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

let backends: NodeWasmBackends | null = null;
let current = 1;

/** Called once by default_node.ts. */
export function provideNodeWasmBackends(b: NodeWasmBackends): void {
  backends = b;
}

/** Threads the registered 'wasm' backend uses (1 until a switch). */
export function wasmThreads(): number {
  return current;
}

/** `threads` checked; undefined (keep the threads in use) stays undefined. */
export function checkThreads(threads: unknown): number | undefined {
  if (threads === undefined) return undefined;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new Error(`enableAcceleration: threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${String(threads)}`);
  }
  return threads;
}

/** Registers the 'wasm' backend with `threads` threads, replacing the one registered now. */
export function useWasmThreads(threads: number): void {
  if (threads === current) return;
  if (backends === null) {
    throw new Error(
      "enableAcceleration: threads > 1 needs pq's Node start-up of tfjs-wasm (import @pq/nn before starting tfjs's wasm " +
        'backend); in a browser, tfjs-wasm uses threads by itself on a cross-origin-isolated page',
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
  tf.removeBackend('wasm');
  const b = backends;
  tf.registerBackend('wasm', threads > 1 ? () => b.threaded(threads) : () => b.single(), b.priority);
  current = threads;
}
