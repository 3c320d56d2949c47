// The nn README's float-layers example (test/readme.test.ts checks it).
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Linear, MaxPool2d, ReLU, Flatten, Sequential, F, manualSeed } from '@pq/nn';
import { saveSafetensors, loadSafetensors } from '@pq/nn/node';

manualSeed(0); // reproducible initialisation and dropout masks
const model = new Sequential(
  new Conv2d(1, 10, 5), new MaxPool2d(2), new ReLU(),
  new Conv2d(10, 20, 5), new MaxPool2d(2), new ReLU(),
  new Flatten(), new Linear(320, 50), new ReLU(), new Linear(50, 10),
);
console.log(model.toString());
const x = tf.randomNormal([4, 1, 28, 28], 0, 1, 'float32', 1);
const { value, grads } = tf.variableGrads(() => F.crossEntropy(model.call(x), [3, 1, 4, 1]) as tf.Scalar, model.parameters());
console.log('loss', value.dataSync()[0].toFixed(4), 'grad tensors', Object.keys(grads).length);

await saveSafetensors('lenet.safetensors', model.stateDict(), { format: 'pt' });
const state = await loadSafetensors('lenet.safetensors');
console.log(Object.entries(state).map(([k, v]) => `${k} [${v.shape.join(', ')}]`).join('\n'));
model.loadStateDict(state);
