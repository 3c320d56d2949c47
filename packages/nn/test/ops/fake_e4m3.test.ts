import * as tf from '@tensorflow/tfjs-core';
import '../quant/helpers/tf.js';
import { describe, expect, it } from 'vitest';
import { loadGolden } from '@pq/fixtures';
import { fakeE4M3 } from '@pq/nn';
import { expectExact, goldenTensor } from '../quant/helpers/golden.js';

describe('fakeE4M3 op (golden e4m3 cases)', () => {
  for (const c of loadGolden('e4m3').cases) {
    it(`${c.name}: bit-exact`, () => {
      tf.tidy(() => {
        const y = c.amax === null ? fakeE4M3(goldenTensor(c.x)) : fakeE4M3(goldenTensor(c.x), c.amax);
        expectExact(y, c.out, 'out');
      });
    });
  }

  it('passes the gradient inside [-amax, amax] only (448 without amax)', () => {
    tf.tidy(() => {
      const x = tf.tensor([-500, -2, 0.5, 2, 449]);
      expect(Array.from(tf.grad((v: tf.Tensor) => fakeE4M3(v, 2))(x).dataSync())).toEqual([0, 1, 1, 1, 0]);
      expect(Array.from(tf.grad((v: tf.Tensor) => fakeE4M3(v))(x).dataSync())).toEqual([0, 1, 1, 1, 0]);
    });
  });

  it('refuses a per-channel amax', () => {
    tf.tidy(() => {
      expect(() => fakeE4M3(tf.ones([2, 2]), tf.ones([2, 1]))).toThrow(/per-tensor only.*\[2, 1\]/);
    });
  });
});
