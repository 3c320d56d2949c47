// The nn README's quantization example (test/readme.test.ts keeps the two the same and checks what it prints).
import * as tf from '@tensorflow/tfjs-core';
import { F, Module, QuantConv2d, QuantLinear, enableCalibration, finishCalibration, manualSeed, quantizers } from '@pq/nn';
import { saveSafetensors } from '@pq/nn/node';

// The reference's LeNet, line by line.
class LeNet extends Module {
  conv1 = new QuantConv2d(1, 10, 5);
  conv2 = new QuantConv2d(10, 20, 5);
  fc1 = new QuantLinear(320, 50);
  fc2 = new QuantLinear(50, 10);

  forward(x: tf.Tensor): tf.Tensor {
    x = F.relu(F.maxPool2d(this.conv1.call(x), 2));
    x = F.relu(F.maxPool2d(this.conv2.call(x), 2));
    x = F.view(x, -1, 320);
    x = F.relu(this.fc1.call(x));
    x = this.fc2.call(x);
    return F.logSoftmax(x, 1);
  }
}

manualSeed(1);
const model = new LeNet();
const batch = () => tf.randomUniform([8, 1, 28, 28], 0, 1, 'float32', 2);

// 1. Calibrate: collect amax statistics instead of quantizing, then load them.
enableCalibration(model);
tf.tidy(() => { for (let i = 0; i < 4; i++) model.call(batch()); });
finishCalibration(model);
for (const [name, q] of quantizers(model)) if (name.startsWith('conv1')) console.log(name, q.toString());

// 2. Quantization-aware training: the fake-quant op passes straight-through gradients.
const opt = tf.train.adam(1e-4);
const x = batch();
const target = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
for (let step = 0; step < 3; step++) {
  const loss = opt.minimize(() => F.nllLoss(model.call(x) as tf.Tensor, target) as tf.Scalar, true)!;
  console.log(`step ${step} loss ${loss.dataSync()[0]!.toFixed(4)}`);
  loss.dispose();
}

// 3. Save with PyTorch's names (conv1._input_quantizer._amax, ...).
await saveSafetensors('lenet-quant.safetensors', model.stateDict());
console.log(Object.keys(model.stateDict()).slice(0, 4));
