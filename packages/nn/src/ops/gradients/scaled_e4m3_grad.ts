// Gradient of PqScaledE4M3: straight-through inside [-amax, amax] (the op passes 448, E4M3's
// largest value, as amax when called without one).
import * as tf from '@tensorflow/tfjs-core';
import { PqScaledE4M3, PqScaledE4M3Grad } from '../kernel_names.js';

export const scaledE4M3GradConfig: tf.GradConfig = {
  kernelName: PqScaledE4M3,
  inputsToSave: ['x', 'amax'],
  gradFunc: (dy, saved, attrs) => {
    const [x, amax] = saved as [tf.Tensor, tf.Tensor];
    return {
      x: () => tf.engine().runKernel(PqScaledE4M3Grad, { x, amax, dy: dy as tf.Tensor }, attrs) as tf.Tensor,
      amax: () => tf.zerosLike(amax),
    };
  },
};
