// What pq's two Node start-ups of tfjs-wasm (default_node.ts: single-threaded, synchronous;
// wasm_threaded_node.ts: threaded) share: the bindings tfjs's own start-up adds to the Emscripten
// module, and the removal of the process handlers Emscripten installs.

export type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');

/** The WebAssembly calls used, typed here because lib ES2022 does not declare WebAssembly. */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}

export interface EmscriptenModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  tfjs?: Record<string, (...args: number[]) => number>;
}

/** The `tfjs` bindings tfjs-backend-wasm's BackendWasm calls. */
export function addTfjsBindings(m: EmscriptenModule): void {
  m.tfjs = {
    init: m.cwrap('init', null, []),
    initWithThreadsCount: m.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: m.cwrap('get_threads_count', 'number', []),
    registerTensor: m.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: m.cwrap('dispose_data', null, ['number']),
    dispose: m.cwrap('dispose', null, []),
  };
}

/**
 * Runs `start` (an Emscripten factory call). Emscripten's Node set-up adds process handlers that
 * rethrow every uncaught error from inside its own (minified) code, so Node would print that code
 * instead of the error's source line; the handlers it added are removed again, leaving Node's
 * own behaviour.
 */
export function withoutEmscriptenProcessHandlers<T>(start: () => T): T {
  const before = { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
  const result = start();
  for (const listener of process.listeners('uncaughtException')) {
    if (!before.uncaughtException.includes(listener)) process.removeListener('uncaughtException', listener);
  }
  for (const listener of process.listeners('unhandledRejection')) {
    if (!before.unhandledRejection.includes(listener)) process.removeListener('unhandledRejection', listener);
  }
  return result;
}

