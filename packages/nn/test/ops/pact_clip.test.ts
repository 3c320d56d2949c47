import * as tf from '@tensorflow/tfjs-core';
import '../quant/helpers/tf.js';
import { describe, expect, it } from 'vitest';
import { pactClip } from '@pq/nn';

describe('pactClip op', () => {
  it('clamps and gives PACT gradients to x, min and max', () => {
    tf.tidy(() => {
      const x = tf.tensor([-3, -1, -0.5, 0, 0.5, 1, 2]);
      const lo = tf.scalar(-1);
      const hi = tf.scalar(1);
      const dy = tf.tensor([1, 2, 3, 4, 5, 6, 7]);
      expect(Array.from(pactClip(x, lo, hi).dataSync())).toEqual([-1, -1, -0.5, 0, 0.5, 1, 1]);
      const [dx, dlo, dhi] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => pactClip(a, b, c))([x, lo, hi], dy);
      // strict inside for x; x <= min feeds min, x >= max feeds max.
      expect(Array.from(dx!.dataSync())).toEqual([0, 0, 3, 4, 5, 0, 0]);
      expect(dlo!.shape).toEqual([]);
      expect(dlo!.dataSync()[0]).toBe(3);
      expect(dhi!.dataSync()[0]).toBe(13);
    });
  });

  it('refuses non-scalar bounds, naming the shapes', () => {
    tf.tidy(() => {
      expect(() => pactClip(tf.ones([2]), tf.ones([2]), tf.scalar(1))).toThrow(/\[2\] and \[\]/);
    });
  });
});
