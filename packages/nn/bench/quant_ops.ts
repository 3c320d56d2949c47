// Quant-op overhead on tfjs's cpu backend: the fake-quant op (forward, and forward + STE
// backward) against calling jsKernels directly, and TensorQuantizer with dynamic vs static amax.
// Run: npx tsx --conditions=@pq/source bench/quant_ops.ts
import { timeMedian } from '@pq/bench-utils';
import * as tf from '@tensorflow/tfjs-core';
import { QuantDescriptor, jsKernels } from '@pq/core';
import { TensorQuantizer, fakeQuant } from '../src/index.js';

function time(label: string, n: number, fn: () => void): void {
  const ms = timeMedian(fn, { warmup: 3, runs: n });
  console.log(`${label.padEnd(48)} ${ms.toFixed(2).padStart(8)} ms`);
}

const shape = [64, 32, 28, 28]; // 1.6M elements, a conv activation of a 64-image batch
const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
const nd = { data: x.dataSync() as Float32Array, shape };
const amax = tf.scalar(3);
const dy = tf.onesLike(x);
console.log(`tensor [${shape.join(', ')}], median of 20 runs, ${process.version}`);
time('jsKernels.fakeTensorQuant (typed arrays)', 20, () => void jsKernels.fakeTensorQuant(nd, 3));
time('fakeQuant op (tfjs tensor in/out)', 20, () => tf.tidy(() => void fakeQuant(x, amax).dataSync()));
time('fakeQuant op forward + STE backward', 20, () =>
  tf.tidy(() => void tf.grad((v: tf.Tensor) => fakeQuant(v, amax))(x, dy).dataSync()),
);
const dynamic = new TensorQuantizer(new QuantDescriptor());
const perChannel = new TensorQuantizer(new QuantDescriptor({ axis: 1 }));
const fixed = new TensorQuantizer(new QuantDescriptor({ amax: 3 }));
time('TensorQuantizer, dynamic per-tensor amax', 20, () => tf.tidy(() => void (dynamic.call(x) as tf.Tensor).dataSync()));
time('TensorQuantizer, dynamic per-channel amax (axis 1)', 20, () => tf.tidy(() => void (perChannel.call(x) as tf.Tensor).dataSync()));
time('TensorQuantizer, static amax', 20, () => tf.tidy(() => void (fixed.call(x) as tf.Tensor).dataSync()));
