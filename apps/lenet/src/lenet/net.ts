// LeNet as in the reference's usage section (PyTorch's MNIST example): two 5x5 convolutions
// (1->10, 10->20), max pooling, ReLU, channel dropout after conv2, fc1 320->50, dropout,
// fc2 50->10, log-softmax. The quantized variant swaps in QuantConv2d / QuantLinear, so the
// state-dict names (conv1.weight, conv1._input_quantizer._amax, ...) are the reference's.
import * as tf from '@tensorflow/tfjs-core';
import { QuantDescriptor } from '@pq/core';
import { Conv2d, F, Linear, Module, QuantConv2d, QuantLinear, defaultGenerator } from '@pq/nn';

export type InputCalibrator = 'max' | 'histogram';

/**
 * Dropout2d: zeroes whole channels with probability p and scales the rest by 1/(1-p), in
 * training only (masks from @pq/nn's seeded generator). Only called in training, so an ONNX
 * export (eval mode) never sees it.
 */
export function dropout2d(x: tf.Tensor, p = 0.5): tf.Tensor {
  const [n, c] = x.shape as [number, number];
  const keep = defaultGenerator.bernoulli(n * c, 1 - p);
  for (let i = 0; i < keep.length; i++) keep[i] = keep[i]! / (1 - p);
  return tf.tidy(() => tf.mul(x, tf.tensor(keep, [n, c, 1, 1], 'float32')));
}

export class LeNet extends Module {
  conv1: Conv2d | QuantConv2d;
  conv2: Conv2d | QuantConv2d;
  fc1: Linear | QuantLinear;
  fc2: Linear | QuantLinear;

  /** `quant`: build the quantized LeNet with input quantizers using that calibrator. */
  constructor(quant: InputCalibrator | null = null) {
    super();
    if (quant === null) {
      this.conv1 = new Conv2d(1, 10, 5);
      this.conv2 = new Conv2d(10, 20, 5);
      this.fc1 = new Linear(320, 50);
      this.fc2 = new Linear(50, 10);
    } else {
      const quantDescInput = new QuantDescriptor({ calibMethod: quant });
      this.conv1 = new QuantConv2d(1, 10, 5, { quantDescInput });
      this.conv2 = new QuantConv2d(10, 20, 5, { quantDescInput });
      this.fc1 = new QuantLinear(320, 50, { quantDescInput });
      this.fc2 = new QuantLinear(50, 10, { quantDescInput });
    }
  }

  forward(x: tf.Tensor): tf.Tensor {
    let h = F.relu(F.maxPool2d(this.conv1.call(x) as tf.Tensor, 2));
    h = this.conv2.call(h) as tf.Tensor;
    if (this.training) h = dropout2d(h);
    h = F.relu(F.maxPool2d(h, 2));
    h = F.view(h, -1, 320);
    h = F.relu(this.fc1.call(h) as tf.Tensor);
    h = F.dropout(h, 0.5, this.training);
    return F.logSoftmax(this.fc2.call(h) as tf.Tensor, 1);
  }
}
