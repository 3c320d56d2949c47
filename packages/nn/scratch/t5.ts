import * as tf from '@tensorflow/tfjs-core';
import * as nn from '../src/index.js';
await nn.enableAcceleration({ threads: 1 });
const probe = (name: string, f: () => void) => { const n0 = tf.memory().numTensors; f(); console.log(name, tf.memory().numTensors - n0); };
const x = tf.randomNormal([8, 3, 16, 16]);
probe('fakeQuant', () => tf.tidy(() => { nn.fakeQuant(x, 2); }));
probe('fakeQuant2', () => tf.tidy(() => { nn.fakeQuant(x, 2); }));
probe('transpose', () => tf.tidy(() => { tf.transpose(x, [0, 2, 3, 1]); }));
probe('conv', () => { const m = new nn.Conv2d(3, 16, 1); tf.tidy(() => m.call(x)); m.dispose(); });
