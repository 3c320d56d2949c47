import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const wasmPackage = require('@tensorflow/tfjs-backend-wasm');
const gluePath = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
const factory = require(gluePath);

const threads = Number(process.argv[2] ?? 2);
const workerSource =
  `import { createRequire } from 'node:module';\n` +
  `globalThis.require = createRequire(${JSON.stringify(pathToFileURL(gluePath).href)});\n` +
  `globalThis.__filename = ${JSON.stringify(gluePath)};\n` +
  `(0, eval)(${JSON.stringify(wasmWorkerContents.replace(/\n/g, "\\n"))});\n`;
const workerUrl = new URL(`data:text/javascript,${encodeURIComponent(workerSource)}`);

async function threadedBackend(): Promise<tf.KernelBackend> {
  const folder = gluePath.slice(0, gluePath.lastIndexOf('/') + 1);
  const config: Record<string, unknown> = {
    locateFile: (path: string, prefix: string) => (path.endsWith('.worker.js') ? workerUrl : prefix + path),
    mainScriptUrlOrBlob: gluePath,
    instantiateWasm: (imports: object, receive: (i: object, m: object) => void) => {
      const module = new WebAssembly.Module(readFileSync(`${folder}tfjs-backend-wasm-threaded-simd.wasm`));
      (imports as any).env.emscripten_num_logical_cores = () => 2 * threads;
      const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
      receive(instance, module);
      return instance.exports;
    },
  };
  const m = (await factory(config)) as any;
  m.tfjs = {
    init: m.cwrap('init', null, []),
    initWithThreadsCount: m.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: m.cwrap('get_threads_count', 'number', []),
    registerTensor: m.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: m.cwrap('dispose_data', null, ['number']),
    dispose: m.cwrap('dispose', null, []),
  };
  wasmPackage.setThreadsCount(threads);
  const b = new wasmPackage.BackendWasm(m);
  console.log('threads', wasmPackage.getThreadsCount(), 'running workers', m.PThread?.runningWorkers?.length, 'unused', m.PThread?.unusedWorkers?.length);
  for (const w of m.PThread?.runningWorkers ?? []) w.unref();
  return b;
}

tf.removeBackend('wasm');
tf.registerBackend('wasm', threadedBackend, 3);
await tf.setBackend('wasm');
const x = tf.randomNormal([32, 32, 32, 64], 0, 1, 'float32', 1);
const w = tf.randomNormal([3, 3, 64, 64], 0, 1, 'float32', 2);
for (let i = 0; i < 8; i++) {
  const t0 = performance.now();
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
  const s = y.dataSync();
  console.log('conv ms', (performance.now() - t0).toFixed(1), s[0], s[12345]);
  y.dispose();
}
console.log('done');
