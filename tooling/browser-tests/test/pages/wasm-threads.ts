// The page of wasm-threads.test.ts: `enableAcceleration({ threads })` in Chromium, then a short
// QAT run of apps/lenet's LeNet (max-calibrated input quantizers, SGD with momentum) on the
// wasm backend. It returns the losses and a checksum of each parameter's float32 bits, for the
// test to compare thread counts exactly; a refusal is returned as its message.
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { LeNet } from '@pq/lenet-app/browser';
import { F, MomentumSGD, accelerationState, enableAcceleration, enableCalibration, finishCalibration, manualSeed } from '@pq/nn';
import { WASM_DIR } from '../../src/wasm-dir.js';

setWasmPaths(WASM_DIR);

const BATCH = 16;
const STEPS = 6;

export interface ThreadsRun {
  readonly threads: number;
  readonly backend: string;
  /** Whether the backend's heap is a SharedArrayBuffer (tfjs-wasm's threaded build). */
  readonly sharedMemory: boolean;
  readonly losses: number[];
  /** FNV-1a of each parameter's float32 bytes, in parameters() order. */
  readonly weights: number[];
  /** tf.memory().numTensors after each step. */
  readonly numTensors: number[];
}

function fnv1a(values: Float32Array): number {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

function batch(seed: number): { x: tf.Tensor4D; labels: Int32Array } {
  let s = seed;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const images = Float32Array.from({ length: BATCH * 28 * 28 }, () => r() * 3 - 0.4);
  const labels = Int32Array.from({ length: BATCH }, () => Math.floor(r() * 10));
  return { x: tf.tensor4d(images, [BATCH, 1, 28, 28]), labels };
}

async function train(threads: number): Promise<ThreadsRun> {
  await enableAcceleration({ threads });
  manualSeed(0);
  const net = new LeNet('max');
  const { x, labels } = batch(7);
  net.eval();
  enableCalibration(net);
  tf.tidy(() => void net.call(x));
  finishCalibration(net);
  net.train();
  const opt = new MomentumSGD(0.05, 0.9);
  const losses: number[] = [];
  const numTensors: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const loss = opt.minimize(() => F.nllLoss(net.call(x) as tf.Tensor, labels) as tf.Scalar, true, net.parameters())!;
    losses.push((await loss.data())[0]!);
    loss.dispose();
    numTensors.push(tf.memory().numTensors);
  }
  const weights = net.parameters().map((p) => fnv1a(p.dataSync() as Float32Array));
  const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
  const state = accelerationState();
  opt.dispose();
  net.dispose();
  x.dispose();
  return { threads: state.threads, backend: state.backend, sharedMemory: typeof SharedArrayBuffer === 'function' && heap.buffer instanceof SharedArrayBuffer, losses, weights, numTensors };
}

async function refusal(threads: number): Promise<string | null> {
  try {
    await enableAcceleration({ threads });
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const api = { train, refusal, isolated: () => globalThis.crossOriginIsolated };
export type ThreadsPage = typeof api;
(globalThis as { pqThreads?: ThreadsPage }).pqThreads = api;
