// The models the export tests run: the reference's LeNet (float and quantized) and a small
// conv-transpose + pooling network, built only from pq's public layers and F.
import * as tf from '@tensorflow/tfjs-core';
import {
  AdaptiveAvgPool2d, AvgPool2d, Conv2d, ConvTranspose2d, Dropout, F, InstanceNorm2d, LSTMCell, Linear, MaxPool2d, Module,
  QuantAdaptiveAvgPool2d, QuantAvgPool2d, QuantConv2d, QuantConvTranspose2d, QuantLinear, ReLU, Sequential,
} from '@pq/nn';

/** LeNet from the reference's usage example (pytorch-quantization's MNIST LeNet). */
export class LeNet extends Module {
  conv1: Conv2d;
  conv2: Conv2d;
  conv2_drop = new Dropout(0.5);
  fc1: Linear;
  fc2: Linear;

  constructor(quant: boolean) {
    super();
    this.conv1 = quant ? new QuantConv2d(1, 10, 5) : new Conv2d(1, 10, 5);
    this.conv2 = quant ? new QuantConv2d(10, 20, 5) : new Conv2d(10, 20, 5);
    this.fc1 = quant ? new QuantLinear(320, 50) : new Linear(320, 50);
    this.fc2 = quant ? new QuantLinear(50, 10) : new Linear(50, 10);
  }

  forward(x: tf.Tensor): tf.Tensor {
    let y = F.relu(F.maxPool2d(this.conv1.call(x) as tf.Tensor, 2));
    y = F.relu(F.maxPool2d(this.conv2_drop.call(this.conv2.call(y)) as tf.Tensor, 2));
    y = F.view(y, -1, 320);
    y = F.relu(this.fc1.call(y) as tf.Tensor);
    y = F.dropout(y, 0.5, this.training);
    return F.logSoftmax(this.fc2.call(y) as tf.Tensor, 1);
  }
}

/** Conv -> ConvTranspose (stride 2, output padding, groups) -> pooling of every kind, as a Sequential. */
export function convTransposeNet(quant: boolean): Sequential {
  return new Sequential(
    quant ? new QuantConv2d(3, 8, 3, { padding: 1, dilation: 1 }) : new Conv2d(3, 8, 3, { padding: 1, dilation: 1 }),
    new ReLU(),
    quant
      ? new QuantConvTranspose2d(8, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 })
      : new ConvTranspose2d(8, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
    new InstanceNorm2d(6, { affine: true }),
    new MaxPool2d(2, { stride: 1, padding: 1 }),
    quant ? new QuantAvgPool2d(3, { stride: 2, padding: 1 }) : new AvgPool2d(3, { stride: 2, padding: 1 }),
    quant ? new QuantAdaptiveAvgPool2d([3, 1]) : new AdaptiveAvgPool2d([3, 1]),
  );
}

/** Two steps of an LSTM cell, the second from the first's state; outputs [h, c]. */
export class CellModel extends Module {
  constructor(readonly cell: LSTMCell) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor[] {
    const [h, c] = this.cell.call(x) as [tf.Tensor, tf.Tensor];
    return this.cell.call(x, [h, c]) as tf.Tensor[];
  }
}
