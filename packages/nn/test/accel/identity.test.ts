// Identity on wasm (tf.clone, the tensors a gradient saves) shares the buffer and counts it.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { onAccelerated } from './helpers.js';

describe('pq Identity on wasm', () => {
  it('shares the buffer, which outlives the original and is freed with the last tensor', async () => {
    await onAccelerated('wasm', () => {
      const buffers = () => tf.backend().numDataIds();
      const x = tf.tensor1d([1, -0, 3]);
      const before = buffers();
      const y = tf.clone(x);
      expect(buffers()).toBe(before);
      x.dispose();
      expect(Array.from(y.dataSync())).toEqual([1, -0, 3]);
      y.dispose();
      expect(buffers()).toBe(before - 1);
      const str = tf.tensor1d(['a'], 'string');
      const copy = tf.clone(str);
      str.dispose();
      expect(copy.dataSync()).toEqual(['a']);
      copy.dispose();
    });
  });
});
