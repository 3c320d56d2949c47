import * as tf from '@tensorflow/tfjs-core';
import '../quant/helpers/tf.js';
import { describe, expect, it } from 'vitest';
import { createGpuKernels } from '@pq/kernels-gpu';
import { QuantDescriptor } from '@pq/core';
import { TensorQuantizer, fakeQuant } from '@pq/nn';

describe('fakeQuant op on @pq/kernels-gpu', () => {
  it('gives the same bits as jsKernels, through the op and through a TensorQuantizer', () => {
    const gpu = createGpuKernels({ mode: 'webasm' }); // gpu.js itself ('auto' runs core's kernels without a GPU)
    tf.tidy(() => {
      const x = tf.randomNormal([4, 3, 5, 5], 0, 1, 'float32', 5);
      const amax = tf.tensor([0.5, 1, 2], [1, 3, 1, 1]);
      expect(Array.from(fakeQuant(x, amax, { kernels: gpu }).dataSync())).toEqual(Array.from(fakeQuant(x, amax).dataSync()));
      const q = new TensorQuantizer(new QuantDescriptor({ axis: 1 }), { kernels: gpu });
      const ref = new TensorQuantizer(new QuantDescriptor({ axis: 1 }));
      expect(Array.from((q.call(x) as tf.Tensor).dataSync())).toEqual(Array.from((ref.call(x) as tf.Tensor).dataSync()));
    });
  });
});
