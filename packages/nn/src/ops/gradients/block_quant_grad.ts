// Gradient of PqFakeBlockQuant: straight-through inside each block's [-amax, amax].
import * as tf from '@tensorflow/tfjs-core';
import { PqBlockQuantGrad, PqFakeBlockQuant } from '../kernel_names.js';

export const fakeBlockQuantGradConfig: tf.GradConfig = {
  kernelName: PqFakeBlockQuant,
  inputsToSave: ['x', 'amax'],
  gradFunc: (dy, saved, attrs) => {
    const [x, amax] = saved as [tf.Tensor, tf.Tensor];
    return {
      x: () => tf.engine().runKernel(PqBlockQuantGrad, { x, amax, dy: dy as tf.Tensor }, attrs as tf.NamedAttrMap) as tf.Tensor,
      amax: () => tf.zerosLike(amax),
    };
  },
};
