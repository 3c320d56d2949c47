import * as tf from '@tensorflow/tfjs-core';
import { F, enableAcceleration } from '@pq/nn';
import { createModel } from '../src/index.js';
await enableAcceleration();
const name = (process.argv[2] ?? 'resnet18') as 'resnet18';
const quantize = process.argv[3] === 'q';
const model = createModel(name, { numClasses: 10, quantize });
model.train();
const x = tf.randomNormal([32, 3, 32, 32], 0, 1, 'float32', 1);
const labels = tf.randomUniform([32], 0, 10, 'int32', 2);
const opt = tf.train.momentum(0.01, 0.9);
const step = () => { const { value, grads } = tf.variableGrads(() => F.crossEntropy(model.call(x), labels) as tf.Scalar, model.parameters()); opt.applyGradients(grads); value.dataSync(); tf.dispose([value, ...Object.values(grads)]); };
step(); step();
if (process.argv[4] === 'prof') {
  const agg = new Map<string, number>();
  const info = await tf.profile(() => { step(); return []; });
  for (const k of info.kernels) { const key = process.argv[5] === "shapes" ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name; agg.set(key, (agg.get(key) ?? 0) + (k.kernelTimeMs as number)); }
  let tot = 0; for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 25)) { tot += v; console.log(v.toFixed(1).padStart(8), k); }
} else {
  const t: number[] = []; const n0 = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) { const s = performance.now(); step(); t.push(performance.now() - s); }
  t.sort((a, b) => a - b); console.log(JSON.stringify({ name, quantize, medianMs: t[2], fastestMs: t[0], samplesPerS: 32000 / t[2]!, leak: tf.memory().numTensors - n0 }));
}
