// Run by threads.test.ts in a Node process of its own, once per thread count (the wasm backend's
// threads are chosen before any tensor exists, and switching them would disturb the test files
// sharing a vitest worker): a small MobileNet-like block (a 1x1 and a depthwise 3x3 QuantConv2d,
// BatchNorm2d, ReLU, max pool, a QuantLinear head) trained with SGD from a fixed seed on
// `THREADS` threads (the native kernels', or with `native-off` the wasm backend's). Prints one JSON line: the losses and final weights, numTensors and the
// wasm heap size every few steps, the threads tfjs-wasm reports, the native kernels' state, whether pq's SIMD kernels had
// an instance on the backend's (shared, when threaded) memory, and the time. It must then end
// by itself (no process.exit): idle pthread workers must not keep Node alive.
import * as tf from '@tensorflow/tfjs-core';
import * as nn from '../../src/index.js';
import { wasmKernels } from '../../src/accel/wasm_kernels.js';

const THREADS = Number(process.argv[2] ?? 2);
const STEPS = Number(process.argv[3] ?? 30);
const NATIVE = process.argv[4] !== 'native-off'; // native-off: enableAcceleration({ native: false })

class Block extends nn.Module {
  expand = new nn.QuantConv2d(3, 16, 1);
  bn1 = new nn.BatchNorm2d(16);
  dw = new nn.QuantConv2d(16, 16, 3, { padding: 1, groups: 16 });
  bn2 = new nn.BatchNorm2d(16);
  head = new nn.QuantLinear(16 * 8 * 8, 10);

  forward(x: tf.Tensor): tf.Tensor {
    let h = nn.F.relu(this.bn1.call(this.expand.call(x) as tf.Tensor) as tf.Tensor);
    h = nn.F.relu(this.bn2.call(this.dw.call(h) as tf.Tensor) as tf.Tensor);
    h = nn.F.maxPool2d(h, 2);
    return this.head.call(nn.F.flatten(h, 1)) as tf.Tensor;
  }
}

interface Run { losses: number[]; weights: number[]; numTensors: number[]; heapBytes: number[]; threads: number; native: nn.AccelerationState['native']; pqKernels: boolean; ms: number }

async function run(threads: number): Promise<Run> {
  const state = await nn.enableAcceleration({ threads, native: NATIVE });
  nn.manualSeed(0);
  const model = new Block();
  const x = tf.randomNormal([8, 3, 16, 16], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([8], 0, 10, 'int32', 2);
  const opt = new nn.MomentumSGD(0.05, 0.9);
  const wasm = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm;
  const out: Run = { losses: [], weights: [], numTensors: [], heapBytes: [], threads: state.threads, native: state.native, pqKernels: false, ms: 0 };
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) {
    const loss = opt.minimize(() => nn.F.crossEntropy(model.call(x) as tf.Tensor, labels) as tf.Scalar, true, model.parameters())!;
    out.losses.push(loss.dataSync()[0]!);
    loss.dispose();
    if (i % 5 === 4) {
      out.numTensors.push(tf.memory().numTensors);
      out.heapBytes.push(wasm.HEAPU8.byteLength);
    }
  }
  out.ms = performance.now() - t0;
  out.pqKernels = wasmKernels(tf.backend()) !== null; // pq's SIMD kernels ran on this backend's heap
  for (const p of model.parameters()) out.weights.push(...p.dataSync());
  opt.dispose();
  model.dispose();
  tf.dispose([x, labels]);
  return out;
}

console.log(JSON.stringify(await run(THREADS)));
