import * as tf from '@tensorflow/tfjs-core';
import { enableAcceleration } from '../src/index.js';
import { wasmKernels } from '../src/accel/wasm_kernels.js';
const threads = Number(process.argv[2] ?? 2);
await enableAcceleration({ threads });
console.log('kernels', wasmKernels(tf.backend()) !== null);
const x = tf.variable(tf.randomNormal([32, 96, 16, 16], 0, 1, 'float32', 1));
const w = tf.variable(tf.randomNormal([3, 3, 96, 1], 0, 1, 'float32', 2));
for (let i = 0; i < 4; i++) {
  const t0 = performance.now();
  const { grads } = tf.variableGrads(() => tf.sum(tf.depthwiseConv2d(tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')) as tf.Scalar);
  const s = grads[x.name]!.dataSync(); const s2 = grads[w.name]!.dataSync();
  console.log('dw fwd+bwd ms', (performance.now() - t0).toFixed(1), s[7], s2[5]);
  tf.dispose(Object.values(grads));
}
