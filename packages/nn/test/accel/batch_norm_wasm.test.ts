// Batch norm on wasm (on Node the native kernels, eight channels' sums at once; with native off
// pq's SIMD kernels, four at once) against the generic kernels (cpu), bit for bit: every sum
// keeps the one-channel loop's order.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { PqBatchNormTrain, PqBatchNormTrainGrad } from './../../src/ops/kernel_names.js';
import { nativeUnavailableReason } from '@pq/kernels-native';
import { disableAcceleration, enableAcceleration } from './../../src/accel/index.js';
import { nativeKernels } from './../../src/accel/native_provider.js';
import { mismatches, onAccelerated, randomArray, rng } from './helpers.js';

// Channels off the blocks of four and eight, odd and unit spatial sizes (the SIMD tails), and
// positions on and off the native kernels' 8x8 transposes.
const SHAPES = [[3, 6, 5], [2, 9, 1], [4, 4, 2, 3], [2, 19, 4, 4], [3, 10, 17]];

function bn(): Float32Array[] {
  const next = rng(21);
  const out: Float32Array[] = [];
  for (const shape of SHAPES) {
    const size = shape.reduce((a, b) => a * b, 1);
    // Mixed magnitudes, so that another summation order would change the bits.
    const data = (n: number) => randomArray(n, next).map((v, i) => (i % 3 === 0 ? v * 1e3 : v + 0.5));
    const [x, dy, w, b] = [tf.tensor(data(size), shape), tf.tensor(data(size), shape), tf.tensor(data(shape[1]!)), tf.tensor(data(shape[1]!))];
    const attrs = { eps: 1e-5 };
    const [y, mean, variance] = tf.engine().runKernel(PqBatchNormTrain, { x, weight: w, bias: b }, attrs) as tf.Tensor[];
    const grads = tf.engine().runKernel(PqBatchNormTrainGrad, { dy, x, mean: mean!, variance: variance!, weight: w }, attrs) as tf.Tensor[];
    const all = [y!, mean!, variance!, ...grads];
    out.push(...all.map((t) => Float32Array.from(t.dataSync())));
    tf.dispose([x, dy, w, b, ...all]);
  }
  return out;
}

describe('pq batch norm on wasm', () => {
  it.each([true, false])('equals the generic kernels bit for bit (y, mean, variance, dx, dweight, dbias), native %s', async (native) => {
    await enableAcceleration({ backend: 'wasm', native });
    let wasm: Float32Array[];
    try {
      expect(nativeKernels() !== null).toBe(native && nativeUnavailableReason() === null);
      wasm = bn();
    } finally {
      disableAcceleration();
    }
    const cpu = await onAccelerated('cpu', bn);
    wasm.forEach((v, i) => expect(mismatches(v, cpu[i]!), `shape ${i / 6 | 0}, output ${i % 6}`).toEqual([]));
  });
});
