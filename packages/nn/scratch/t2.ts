import * as tf from '@tensorflow/tfjs-core';
import { enableAcceleration } from '../src/index.js';
const threads = Number(process.argv[2] ?? 2);
const st = await enableAcceleration({ threads });
console.log(st.backend, st.threads);
const x = tf.randomNormal([32, 32, 32, 64], 0, 1, 'float32', 1);
const w = tf.randomNormal([3, 3, 64, 64], 0, 1, 'float32', 2);
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
  const s = y.dataSync();
  console.log('conv ms', (performance.now() - t0).toFixed(1), s[0], s[12345]);
  y.dispose();
}
