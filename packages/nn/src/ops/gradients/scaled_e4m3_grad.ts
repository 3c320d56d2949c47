// Gradient of PqScaledE4M3: straight-through inside [-amax, amax] (the op passes 448, E4M3's
// largest value, as amax when called without one).
import * as tf from '@tensorflow/tfjs-core';
import { PqScaledE4M3 } from '../kernel_names.js';
import { straightThrough } from './straight_through.js';

export const scaledE4M3GradConfig: tf.GradConfig = {
  kernelName: PqScaledE4M3,
  inputsToSave: ['x', 'amax'],
  gradFunc: (dy, saved) => {
    const [x, amax] = saved as [tf.Tensor, tf.Tensor];
    return {
      x: () => straightThrough(dy as tf.Tensor, x, amax),
      amax: () => tf.zerosLike(amax),
    };
  },
};
