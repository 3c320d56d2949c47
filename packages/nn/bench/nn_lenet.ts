// The same LeNet built from @pq/nn's own modules (QuantConv2d, QuantLinear, F.*), the way the
// reference's usage section writes it: what a user of the package actually runs.
import * as tf from '@tensorflow/tfjs-core';
import * as nn from '../src/index.js';

export type NnMode = 'float' | 'static' | 'dynamic';

export class NnLeNet extends nn.Module {
  conv1: nn.Module;
  conv2: nn.Module;
  fc1: nn.Module;
  fc2: nn.Module;

  constructor(quantized: boolean) {
    super();
    this.conv1 = quantized ? new nn.QuantConv2d(1, 10, 5) : new nn.Conv2d(1, 10, 5);
    this.conv2 = quantized ? new nn.QuantConv2d(10, 20, 5) : new nn.Conv2d(10, 20, 5);
    this.fc1 = quantized ? new nn.QuantLinear(320, 50) : new nn.Linear(320, 50);
    this.fc2 = quantized ? new nn.QuantLinear(50, 10) : new nn.Linear(50, 10);
  }

  forward(x: tf.Tensor): tf.Tensor {
    let h = nn.F.relu(nn.F.maxPool2d(this.conv1.call(x) as tf.Tensor, 2));
    h = nn.F.relu(nn.F.maxPool2d(this.conv2.call(h) as tf.Tensor, 2));
    h = nn.F.relu(this.fc1.call(tf.reshape(h, [-1, 320])) as tf.Tensor);
    return nn.F.logSoftmax(this.fc2.call(h) as tf.Tensor, 1);
  }
}

/** A LeNet of `mode`: float layers, or quant layers with dynamic amax or calibrated ("max") amax. */
export function makeNnLeNet(mode: NnMode, calibrationBatch: tf.Tensor): NnLeNet {
  const model = new NnLeNet(mode !== 'float');
  if (mode === 'static') {
    nn.enableCalibration(model);
    tf.tidy(() => model.call(calibrationBatch));
    nn.finishCalibration(model);
  }
  return model;
}

export function nnTrainStep(model: NnLeNet, opt: tf.Optimizer, x: tf.Tensor, labels: tf.Tensor): number {
  const { value, grads } = tf.variableGrads(() => nn.F.nllLoss(model.call(x) as tf.Tensor, labels) as tf.Scalar, model.parameters());
  opt.applyGradients(grads);
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}
