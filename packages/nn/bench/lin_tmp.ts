import * as tf from '@tensorflow/tfjs-core';
import { enableAcceleration, Linear, F } from '../src/index.js';
await enableAcceleration({ threads: 1 });
const m = new Linear(512, 512);
const x = tf.variable(tf.randomNormal([512, 512]));
const dy = tf.randomNormal([512, 512]);
const b = tf.variable(tf.randomNormal([512, 512]));
const step = () => { const { value, grads } = tf.engine().gradients(() => m.call(x) as tf.Tensor, [x, ...m.parameters()], dy); tf.dispose([value, ...grads]); };
const mm = () => { const { value, grads } = tf.engine().gradients(() => F.matmul(x, b), [x, b], dy); tf.dispose([value, ...grads]); };
for (let i = 0; i < 20; i++) { step(); mm(); }
const time = (f: () => void) => { const ts: number[] = []; for (let i = 0; i < 40; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); } ts.sort((p, q) => p - q); return ts[20]!.toFixed(2); };
console.log('linear fwd+bwd', time(step), 'matmul fwd+bwd', time(mm));
for (const [label, f] of [['linear', step], ['matmul', mm]] as const) {
  const p = await tf.profile(f);
  console.log(label, p.kernels.map((k) => `${k.name}${JSON.stringify(k.inputShapes)} ${(k as unknown as { kernelTimeMs: number }).kernelTimeMs.toFixed(3)}`).join(' | '));
}
