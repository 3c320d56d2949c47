// Run: npx tsx examples/quickstart.ts (after `pnpm build`)
import * as tf from '@tensorflow/tfjs-core';
import { enableCalibration, exportOnnx, finishCalibration, manualSeed, quantizers } from '@pq/nn';
import { resnet18 } from '@pq/vision';

manualSeed(0);
// The reference's quantized ResNet-18: QuantConv2d / QuantLinear, a residual quantizer per block.
const model = resnet18({ quantize: true, numClasses: 10 });
const names = [...quantizers(model).keys()];
console.log(`${names.length} quantizers, ${names.filter((n) => n.endsWith('residual_quantizer')).length} on residual branches`);
console.log(Object.keys(model.stateDict()).slice(0, 3).join(', '));

// Max calibration (every quantizer's default): collect on a few batches, then load the amax.
model.eval();
enableCalibration(model);
for (let i = 0; i < 2; i++) tf.tidy(() => model.call(tf.randomUniform([2, 3, 32, 32], -1, 1, 'float32', i)));
finishCalibration(model);
const state = model.stateDict();
console.log(Object.keys(state).filter((k) => k.endsWith('._amax')).length, 'amax, e.g.', Object.keys(state).find((k) => k.includes('residual')));

// Evaluate and export: Q/DQ pairs around every quantized layer and residual branch.
const x = tf.randomUniform([1, 3, 32, 32], -1, 1, 'float32', 9);
const y = tf.tidy(() => model.call(x) as tf.Tensor);
console.log('logits', y.shape);
console.log(`ONNX: ${exportOnnx(model, x).length} bytes`);
