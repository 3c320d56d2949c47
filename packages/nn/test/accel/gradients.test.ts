import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerTfjsGradients, tfjsGradientsRegistered } from './../../src/tfjs_setup.js';

describe('registerTfjsGradients', () => {
  it('makes tf.grad work through conv2d and maxPool', async () => {
    await registerTfjsGradients();
    await registerTfjsGradients();
    expect(tfjsGradientsRegistered()).toBe(true);
    await tf.setBackend('cpu');
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const w = tf.ones([2, 2, 1, 1]) as tf.Tensor4D;
    const g = tf.grad((w2: tf.Tensor) => tf.sum(tf.conv2d(x, w2 as tf.Tensor4D, 1, 'valid')))(w);
    expect(Array.from(g.dataSync())).toEqual([9, 9, 9, 9]);
  });
});
