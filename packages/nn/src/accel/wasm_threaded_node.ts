// tfjs-wasm's threaded SIMD build, started under Node. tfjs's own start-up cannot do it there:
// it hands Emscripten a `blob:` URL for the pthread worker script and for the main script, and
// Node's Worker refuses blob: URLs (ERR_WORKER_PATH). Emscripten's supported hooks fix both:
// - `locateFile` returns the worker script as a `data:` URL object, which Node's Worker accepts
//   (as an ES module: it gives the CommonJS worker script the `require` and `__filename` it
//   expects, then runs it);
// - `mainScriptUrlOrBlob` is the glue's file path, which the worker script loads with fs;
// - `instantiateWasm` compiles the binary here and answers Emscripten's
//   `emscripten_num_logical_cores` import with twice the threads wanted: tfjs's C++ halves that
//   number (hyper-threading) and caps the pool by it, so on a 2-core machine it would use 1.
// Emscripten `unref`s idle workers; XNNPACK's pool keeps its threads running (waiting), so they
// are `unref`ed too, or Node would never exit: a program ends when its own work does.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type * as tf from '@tensorflow/tfjs-core';
import { addTfjsBindings, withoutEmscriptenProcessHandlers, type EmscriptenModule, type WasmApi, type WasmPackage } from './wasm_emscripten.js';

const GLUE = 'wasm-out/tfjs-backend-wasm-threaded-simd.js';
const WORKER = 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
const BINARY = 'tfjs-backend-wasm-threaded-simd.wasm';

interface NodeWorker {
  unref(): void;
}
interface ThreadedModule extends EmscriptenModule {
  PThread: { runningWorkers: NodeWorker[] };
}
type Factory = (config: object) => Promise<ThreadedModule>;

/** The pthread worker script, as a data: URL Node's Worker runs. */
function workerUrl(require: NodeRequire, gluePath: string): URL {
  const { wasmWorkerContents } = require(`@tensorflow/tfjs-backend-wasm/${WORKER}`) as { wasmWorkerContents: string };
  // The script is a JS template's text: its "\n" escapes became newlines inside string literals.
  const script = wasmWorkerContents.replace(/\n/g, '\\n');
  const source =
    `import { createRequire } from 'node:module';\n` +
    `globalThis.require = createRequire(${JSON.stringify(pathToFileURL(gluePath).href)});\n` +
    `globalThis.__filename = ${JSON.stringify(gluePath)};\n` +
    `(0, eval)(${JSON.stringify(script)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

/** tfjs-backend-wasm's backend on tfjs-wasm's threaded build with `threads` threads. */
export async function threadedWasmBackend(require: NodeRequire, wasmPackage: WasmPackage, threads: number): Promise<tf.KernelBackend> {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly!;
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('enableAcceleration: threads > 1 needs SharedArrayBuffer, which this Node lacks');
  const gluePath = require.resolve(`@tensorflow/tfjs-backend-wasm/${GLUE}`);
  const folder = gluePath.slice(0, gluePath.lastIndexOf('/') + 1);
  const worker = workerUrl(require, gluePath);
  const config = {
    locateFile: (path: string, prefix: string) => (path.endsWith('.worker.js') ? worker : prefix + path),
    mainScriptUrlOrBlob: gluePath,
    instantiateWasm: (imports: { env: Record<string, unknown> }, receive: (instance: object, module: object) => void) => {
      imports.env['emscripten_num_logical_cores'] = () => 2 * threads;
      const module = new wasm.Module(readFileSync(`${folder}${BINARY}`));
      const instance = new wasm.Instance(module, imports);
      receive(instance, module);
      return instance.exports;
    },
  };
  const factory = require(gluePath) as Factory;
  const m = await withoutEmscriptenProcessHandlers(() => factory(config));
  addTfjsBindings(m);
  wasmPackage.setThreadsCount(threads);
  const backend = new wasmPackage.BackendWasm(m as never);
  const got = wasmPackage.getThreadsCount();
  for (const w of m.PThread.runningWorkers) w.unref();
  if (got !== threads) {
    backend.dispose();
    throw new Error(`enableAcceleration: tfjs-wasm started ${got} thread(s), not the ${threads} asked for`);
  }
  return backend;
}
