// Gradient of PqTensorQuant: straight-through on the integer output, as the reference's
// TensorQuantFunction.backward (no 1/scale factor); the scale output has no gradient.
import * as tf from '@tensorflow/tfjs-core';
import { PqTensorQuant } from '../kernel_names.js';
import { straightThrough } from './straight_through.js';

export const tensorQuantGradConfig: tf.GradConfig = {
  kernelName: PqTensorQuant,
  inputsToSave: ['x', 'amax'],
  gradFunc: (dys, saved) => {
    const [x, amax] = saved as [tf.Tensor, tf.Tensor];
    const dq = Array.isArray(dys) ? dys[0]! : dys;
    return {
      x: () => straightThrough(dq, x, amax),
      amax: () => tf.zerosLike(amax),
    };
  },
};
