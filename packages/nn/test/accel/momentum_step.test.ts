// MomentumSGD's fused step (PqMomentumStep: SIMD on wasm, native on Node where the native
// kernels are on, a loop on cpu) against tfjs's MomentumOptimizer, bit for bit, over several
// steps with and without Nesterov.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeKernels, nativeUnavailableReason } from '@pq/kernels-native';
import { disableAcceleration, enableAcceleration } from './../../src/accel/index.js';
import { provideNativeKernels } from './../../src/accel/native_provider.js';
import { MomentumSGD } from './../../src/index.js';
import { mismatches, onAccelerated, randomArray, rng } from './helpers.js';

// Sizes with and without a SIMD tail; gradients of mixed magnitude so every rounding shows.
const SIZES = [1, 7, 64, 103, 70_001]; // the last one large enough for the native kernel to split

function train(opt: tf.Optimizer, steps: number, seed: number): Float32Array[] {
  const next = rng(seed);
  const vars = SIZES.map((n) => tf.tidy(() => tf.variable(tf.tensor1d(randomArray(n, next, 3)))));
  for (let s = 0; s < steps; s++) {
    const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.tensor1d(randomArray(v.size, next, 10 ** ((s + i) % 4 - 2))) }));
    if (s === 2) (opt as tf.SGDOptimizer).setLearningRate(0.0037);
    opt.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
  }
  const out = vars.map((v) => Float32Array.from(v.dataSync()));
  tf.dispose(vars);
  opt.dispose();
  return out;
}

describe('MomentumSGD fused step', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const nesterov of [false, true]) {
      it(`${backend}${nesterov ? ' Nesterov' : ''}: tfjs's MomentumOptimizer bit for bit, one kernel per parameter, memory flat`, async () => {
        await onAccelerated(backend, async () => {
          const expected = train(new tf.MomentumOptimizer(0.01, 0.9, nesterov), 5, 1);
          const before = tf.memory().numTensors;
          const got = train(new MomentumSGD(0.01, 0.9, nesterov), 5, 1);
          expect(tf.memory().numTensors).toBe(before);
          got.forEach((g, i) => expect(mismatches(g, expected[i]!), `parameter ${i}`).toEqual([]));
          const v = tf.tidy(() => tf.variable(tf.ones([5])));
          const opt = new MomentumSGD(0.1, 0.5, nesterov);
          const g = tf.ones([5]);
          const profile = await tf.profile(() => opt.applyGradients([{ name: v.name, tensor: g }]));
          expect(profile.kernelNames.filter((k) => k === 'PqMomentumStep' || k === 'Multiply' || k === 'Add')).toEqual(['PqMomentumStep']);
          opt.dispose();
          tf.dispose([v, g]);
        });
      });
    }
  }
});

describe.runIf(loadNativeKernels())('MomentumSGD fused step on the native kernels', () => {
  const previous = provideNativeKernels({ load: loadNativeKernels, unavailableReason: nativeUnavailableReason });
  afterAll(() => {
    disableAcceleration();
    provideNativeKernels(previous);
  });
  for (const nesterov of [false, true]) {
    it(`${nesterov ? 'Nesterov: ' : ''}tfjs's MomentumOptimizer bit for bit, memory flat`, async () => {
      expect((await enableAcceleration()).native.active).toBe(true);
      const expected = train(new tf.MomentumOptimizer(0.01, 0.9, nesterov), 5, 1);
      const before = tf.memory().numTensors;
      const got = train(new MomentumSGD(0.01, 0.9, nesterov), 5, 1);
      expect(tf.memory().numTensors).toBe(before);
      got.forEach((g, i) => expect(mismatches(g, expected[i]!), `parameter ${i}`).toEqual([]));
    });
  }
});
