// Gradient of PqBatchNormTrain with respect to x, weight and bias, one PqBatchNormTrainGrad
// kernel for all three. The mean and variance outputs feed only the running statistics, which
// PyTorch updates outside autograd, so their incoming gradients are ignored.
import * as tf from '@tensorflow/tfjs-core';
import { PqBatchNormTrain, PqBatchNormTrainGrad } from '../kernel_names.js';

export const batchNormTrainGradConfig: tf.GradConfig = {
  kernelName: PqBatchNormTrain,
  inputsToSave: ['x', 'weight'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, weight, mean, variance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const dy = (Array.isArray(dys) ? dys[0] : dys)!;
    const [dx, dweight, dbias] = tf.engine().runKernel(PqBatchNormTrainGrad, { dy, x, mean, variance, weight }, attrs) as tf.Tensor[];
    return { x: () => dx!, weight: () => dweight!, bias: () => dbias! };
  },
};
