// Batch norm's running statistics in training: one PqRunningStats kernel per layer (cpu, wasm)
// gives the bits of the six tfjs ops PyTorch's update takes, (1 - m)·running + m·batch with the
// variance unbiased, on random statistics with a mixture of magnitudes.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d } from './../../src/index.js';
import { mismatches, onAccelerated, randomArray, rng } from './helpers.js';

/** Running mean and variance after `steps` training batches of BatchNorm2d(C), starting from random running stats. */
function runningAfter(steps: number, momentum: number): Float32Array[] {
  const next = rng(5);
  const bn = new BatchNorm2d(13, { momentum });
  tf.tidy(() => {
    bn.running_mean!.assign(tf.tensor1d(randomArray(13, next, 3)));
    bn.running_var!.assign(tf.abs(tf.tensor1d(randomArray(13, next, 2))));
  });
  bn.train();
  for (let s = 0; s < steps; s++) {
    const x = tf.tensor4d(randomArray(3 * 13 * 5 * 7, next, 10 ** ((s % 3) - 1)), [3, 13, 5, 7]);
    tf.dispose(bn.call(x) as tf.Tensor);
    x.dispose();
  }
  const out = [Float32Array.from(bn.running_mean!.dataSync()), Float32Array.from(bn.running_var!.dataSync())];
  bn.dispose();
  return out;
}

/** The same update as tfjs ops, from the same batches. */
function byOps(steps: number, momentum: number): Float32Array[] {
  const kernel = tf.getKernel('PqRunningStats', tf.getBackend())!;
  tf.unregisterKernel('PqRunningStats', tf.getBackend());
  try {
    return runningAfter(steps, momentum);
  } finally {
    tf.registerKernel(kernel);
  }
}

describe('batch norm running statistics (PqRunningStats)', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`${backend}: the tfjs ops' bits, one kernel per layer, memory flat`, async () => {
      await onAccelerated(backend, async () => {
        for (const momentum of [0.1, 0.37]) {
          const expected = byOps(4, momentum);
          const before = tf.memory().numTensors;
          const got = runningAfter(4, momentum);
          expect(tf.memory().numTensors).toBe(before);
          got.forEach((g, i) => expect(mismatches(g, expected[i]!), `${['mean', 'var'][i]} momentum ${momentum}`).toEqual([]));
        }
        const bn = new BatchNorm2d(4);
        const x = tf.ones([2, 4, 3, 3]);
        const profile = await tf.profile(() => tf.dispose(bn.call(x) as tf.Tensor));
        // (one Add remains: num_batches_tracked + 1)
        expect(profile.kernelNames.filter((k) => k === 'PqRunningStats' || k === 'Multiply')).toEqual(['PqRunningStats']);
        bn.dispose();
        x.dispose();
      });
    });
  }
});
