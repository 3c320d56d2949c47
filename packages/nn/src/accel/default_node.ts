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
// backend and pq says so once. pq's native kernels (@pq/kernels-native) are handed to the wasm
// backend's convolutions and matrix products here; the addon loads when the first one runs.
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadNativeKernels, nativeUnavailableReason } from '@pq/kernels-native';
import { accelerateByDefault } from './enable.js';
import { provideNativeKernels } from './native_provider.js';
import { addTfjsBindings, withoutEmscriptenProcessHandlers, type EmscriptenModule, type WasmApi, type WasmPackage } from './wasm_emscripten.js';
import { threadedWasmBackend } from './wasm_threaded_node.js';
import { provideNodeWasmBackends } from './wasm_threads.js';

/** The Emscripten glue, a CommonJS module whose export is the factory. */
type WasmModuleFactory = (config: object) => Promise<unknown>;
const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';

/** tfjs-backend-wasm's priority for 'wasm' (above cpu's 1). */
const WASM_PRIORITY = 2;


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
  withoutEmscriptenProcessHandlers(() => void wasmModuleFactory(config));
  const m = config as unknown as EmscriptenModule;
  addTfjsBindings(m);
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
  provideNativeKernels({ load: loadNativeKernels, unavailableReason: nativeUnavailableReason });
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
    const single = (): tf.KernelBackend => wasmBackendNow(wasmPackage, glue);
    tf.registerBackend('wasm', single, WASM_PRIORITY);
    // enableAcceleration({ threads }) re-registers 'wasm' with one of these.
    provideNodeWasmBackends({ single, threaded: (n) => threadedWasmBackend(require, wasmPackage, n), priority: WASM_PRIORITY });
  }
  accelerateByDefault();
}

accelerateOnNode();
