// The nn README's ONNX export example (test/readme.test.ts checks it).
import * as tf from '@tensorflow/tfjs-core';
import ort from 'onnxruntime-node';
import {
  Dropout, F, Module, QuantConv2d, QuantLinear, decodeOnnx, enableCalibration, exportOnnx, finishCalibration, manualSeed,
} from '@pq/nn';
import { saveOnnx } from '@pq/nn/node';

class LeNet extends Module {
  conv1 = new QuantConv2d(1, 10, 5);
  conv2 = new QuantConv2d(10, 20, 5);
  conv2_drop = new Dropout(0.5);
  fc1 = new QuantLinear(320, 50);
  fc2 = new QuantLinear(50, 10);
  forward(x: tf.Tensor): tf.Tensor {
    let y = F.relu(F.maxPool2d(this.conv1.call(x) as tf.Tensor, 2));
    y = F.relu(F.maxPool2d(this.conv2_drop.call(this.conv2.call(y)) as tf.Tensor, 2));
    y = F.view(y, -1, 320);
    y = F.relu(this.fc1.call(y) as tf.Tensor);
    y = F.dropout(y, 0.5, this.training);
    return F.logSoftmax(this.fc2.call(y) as tf.Tensor, 1);
  }
}

manualSeed(0);
const model = new LeNet();
enableCalibration(model); // calibrate: every quantizer needs a static amax to export
tf.tidy(() => model.call(tf.randomUniform([16, 1, 28, 28], 0, 1, 'float32', 1)));
finishCalibration(model);

const bytes = exportOnnx(model, tf.zeros([1, 1, 28, 28]), {
  inputNames: ['image'],
  outputNames: ['logits'],
  // opset: 13 (default; 13-21), dynamicBatch: true (default), producerName: 'pq', fp8Format: 'trt'
});
await saveOnnx('lenet-int8.onnx', bytes); // temp file + rename: never half a model on disk
const { graph } = decodeOnnx(bytes);
console.log(`${bytes.length} bytes, ${graph.node.length} nodes:`);
console.log(graph.node.map((n) => n.opType).join(' '));

// The batch dimension is symbolic: run 7 images in ONNX Runtime and compare with pq.
const x = tf.randomUniform([7, 1, 28, 28], 0, 1, 'float32', 2);
const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'basic' }); // the exact graph (below)
const { logits } = await session.run({ image: new ort.Tensor('float32', x.dataSync() as Float32Array, [7, 1, 28, 28]) });
model.eval();
const ref = (model.call(x) as tf.Tensor).dataSync();
let diff = 0;
(logits!.data as Float32Array).forEach((v, i) => (diff = Math.max(diff, Math.abs(v - ref[i]!))));
console.log('onnxruntime logits', logits!.dims, 'max |ORT - pq| =', diff);
