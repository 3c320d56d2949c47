// Gradient of PqFakeTensorQuant: straight-through inside [-amax, amax].
import * as tf from '@tensorflow/tfjs-core';
import { PqFakeTensorQuant } from '../kernel_names.js';
import { straightThrough } from './straight_through.js';

export const fakeQuantGradConfig: tf.GradConfig = {
  kernelName: PqFakeTensorQuant,
  inputsToSave: ['x', 'amax'],
  gradFunc: (dy, saved) => {
    const [x, amax] = saved as [tf.Tensor, tf.Tensor];
    return {
      x: () => straightThrough(dy as tf.Tensor, x, amax),
      amax: () => tf.zerosLike(amax),
    };
  },
};
