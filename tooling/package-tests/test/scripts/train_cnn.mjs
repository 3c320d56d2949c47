// The same script as train_cnn.cjs, as an ES module: import the built @pq/nn.
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, F, Flatten, MaxPool2d, QuantLinear, ReLU, Sequential, accelerationState, encodeSafetensors, manualSeed } from '@pq/nn';
import { saveSafetensors } from '@pq/nn/node';

manualSeed(0);
const model = new Sequential(new Conv2d(1, 4, 3), new ReLU(), new MaxPool2d(2), new Flatten(), new QuantLinear(4 * 3 * 3, 3));
const x = tf.randomNormal([6, 1, 8, 8], 0, 1, 'float32', 1);
const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
const opt = tf.train.sgd(0.1);
const losses = [];
for (let step = 0; step < 5; step++) {
  const loss = opt.minimize(() => F.crossEntropy(model.call(x), y), true);
  losses.push(loss.dataSync()[0]);
  loss.dispose();
}
const predicted = tf.tidy(() => model.call(x).argMax(1).arraySync());
if (process.argv[2]) await saveSafetensors(process.argv[2], model.stateDict());
console.log(JSON.stringify({ backend: tf.getBackend(), accelerated: accelerationState().enabled, losses, predicted, stateBytes: encodeSafetensors(model.stateDict()).length,
  processHandlers: process.listenerCount('uncaughtException') + process.listenerCount('unhandledRejection') }));
