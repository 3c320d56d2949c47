// On Node, training is fast without a call: importing @pq/nn makes the wasm backend (XNNPACK)
// with pq's kernels tfjs's default, as `await enableAcceleration()` does. tfjs-core's stock cpu
// backend trains about 100x slower, and Node has no GPU backend to prefer.
//
// tfjs starts its wasm backend asynchronously (it fetches and compiles the binary), so code that
// runs an op before `await tf.ready()` would fail; Node can compile WebAssembly synchronously, so
// the wasm backend is registered here with a factory that builds it on the spot, the first time
// tfjs needs a backend. Loaded only under Node (the "node" condition of the package's
// `#accel-default` import); browsers get default_browser.ts. Opt out with
// `disableAcceleration()` (tfjs's cpu backend, stock kernels) or `tf.setBackend(...)`.
// @tensorflow/tfjs-backend-wasm is an optional peer dependency: without it, tfjs stays on its cpu
// backend and pq says so once.
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { accelerateByDefault } from './enable.js';

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');
/** The Emscripten glue, a CommonJS module whose export is the factory. */
type WasmModuleFactory = (config: object) => Promise<unknown>;
const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';

/** tfjs-backend-wasm's priority for 'wasm' (above cpu's 1). */
const WASM_PRIORITY = 2;

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
interface EmscriptenModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  tfjs?: Record<string, (...args: number[]) => number>;
}

/**
 * tfjs-backend-wasm's backend, built synchronously: its Emscripten module gets the compiled
 * binary (the SIMD one where the CPU has SIMD) through `instantiateWasm`, which makes Emscripten
 * finish within the call, and the same bindings tfjs's own start-up adds.
 */
function wasmBackendNow(wasmPackage: WasmPackage, wasmModuleFactory: WasmModuleFactory): tf.KernelBackend {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly!;
  let folder = '';
  const config = {
    locateFile: (path: string, prefix: string) => ((folder = prefix), prefix + path),
    instantiateWasm: (imports: object, receive: (instance: object, module: object) => void) => {
      const module = compile(wasm, folder);
      const instance = new wasm.Instance(module, imports);
      receive(instance, module);
      return instance.exports;
    },
  };
  // Emscripten's Node set-up adds process handlers that rethrow every uncaught error from inside
  // its own (minified) code, so Node would print that code instead of the error's source line;
  // the handlers are removed again, leaving Node's own behaviour.
  const before = { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
  void wasmModuleFactory(config);
  for (const listener of process.listeners('uncaughtException')) {
    if (!before.uncaughtException.includes(listener)) process.removeListener('uncaughtException', listener);
  }
  for (const listener of process.listeners('unhandledRejection')) {
    if (!before.unhandledRejection.includes(listener)) process.removeListener('unhandledRejection', listener);
  }
  const m = config as unknown as EmscriptenModule;
  m.tfjs = {
    init: m.cwrap('init', null, []),
    initWithThreadsCount: m.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: m.cwrap('get_threads_count', 'number', []),
    registerTensor: m.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: m.cwrap('dispose_data', null, ['number']),
    dispose: m.cwrap('dispose', null, []),
  };
  return new wasmPackage.BackendWasm(m as never);
}

function compile(wasm: WasmApi, folder: string): object {
  try {
    return new wasm.Module(readFileSync(`${folder}tfjs-backend-wasm-simd.wasm`));
  } catch (e) {
    if (!(e instanceof Error) || e.name !== 'CompileError') throw e;
    return new wasm.Module(readFileSync(`${folder}tfjs-backend-wasm.wasm`)); // a CPU without WebAssembly SIMD
  }
}

/**
 * Makes wasm + pq's kernels the default. A program that started a wasm backend before importing
 * pq keeps it and gets pq's kernels; one already running on another backend keeps that backend,
 * with a warning when it is the slow cpu one.
 */
function accelerateOnNode(): void {
  const require = createRequire(import.meta.url);
  let wasmPackage: WasmPackage;
  try {
    wasmPackage = require(WASM_PACKAGE) as WasmPackage; // registers 'wasm' and its kernels
  } catch (e) {
    if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND' || !String((e as Error).message).includes(`'${WASM_PACKAGE}'`)) throw e;
    console.warn(
      `@pq/nn: ${WASM_PACKAGE} is not installed, so tfjs trains on its cpu backend, about 100x slower than pq's ` +
        `accelerated path; install it (npm install ${WASM_PACKAGE}@${tf.version_core}) for the fast default.`,
    );
    return;
  }
  const engine = tf.engine();
  if (engine.registry['wasm'] === undefined) {
    if (engine.backendName) {
      if (engine.backendName === 'cpu') {
        console.warn(
          "@pq/nn: tfjs was already running on its cpu backend when @pq/nn was imported, so pq's fast path is not the default; " +
            'training there is about 100x slower. Import @pq/nn before running tfjs ops, or call `await enableAcceleration()`.',
        );
      }
      return;
    }
    tf.removeBackend('wasm');
    const glue = require(`${WASM_PACKAGE}/wasm-out/tfjs-backend-wasm.js`) as WasmModuleFactory;
    tf.registerBackend('wasm', () => wasmBackendNow(wasmPackage, glue), WASM_PRIORITY);
  }
  accelerateByDefault();
}

accelerateOnNode();
