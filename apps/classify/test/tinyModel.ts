// A small quantized CNN for the flow's tests: a strided QuantConv2d, BatchNorm, ReLU, a residual
// branch with its own quantizer (as the ResNets have), average pooling to 4x4 and a QuantLinear.
import type * as tf from '@tensorflow/tfjs-core';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, F, Linear, Module, QuantConv2d, QuantLinear, TensorQuantizer } from '@pq/nn';
import type { ModelRegistry } from '../src/models.js';

export class TinyNet extends Module {
  conv1: QuantConv2d;
  bn1: BatchNorm2d;
  conv2: QuantConv2d;
  residual_quantizer: TensorQuantizer;
  pool = new AdaptiveAvgPool2d(4);
  fc: QuantLinear;

  constructor(numClasses: number) {
    super();
    this.conv1 = new QuantConv2d(3, 12, 3, { stride: 2, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(12);
    this.conv2 = new QuantConv2d(12, 12, 3, { padding: 1 });
    this.residual_quantizer = new TensorQuantizer(QuantConv2d.defaultQuantDescInput);
    this.fc = new QuantLinear(12 * 16, numClasses);
  }

  forward(x: tf.Tensor): tf.Tensor {
    const h = F.relu(this.bn1.call(this.conv1.call(x) as tf.Tensor) as tf.Tensor);
    const y = F.relu(F.add(this.conv2.call(h) as tf.Tensor, this.residual_quantizer.call(h) as tf.Tensor));
    return this.fc.call(F.flatten(this.pool.call(y) as tf.Tensor, 1)) as tf.Tensor;
  }
}

export const tinyModels: ModelRegistry = { tiny: ({ numClasses }) => new TinyNet(numClasses) };

/** TinyNet in float (the same parameter names), for --quant-config, which quantizes a float model. */
export class FloatTinyNet extends Module {
  conv1 = new Conv2d(3, 12, 3, { stride: 2, padding: 1, bias: false });
  bn1 = new BatchNorm2d(12);
  conv2 = new Conv2d(12, 12, 3, { padding: 1 });
  pool = new AdaptiveAvgPool2d(4);
  fc: Linear;

  constructor(numClasses: number) {
    super();
    this.fc = new Linear(12 * 16, numClasses);
  }

  forward(x: tf.Tensor): tf.Tensor {
    const h = F.relu(this.bn1.call(this.conv1.call(x) as tf.Tensor) as tf.Tensor);
    const y = F.relu(F.add(this.conv2.call(h) as tf.Tensor, h));
    return this.fc.call(F.flatten(this.pool.call(y) as tf.Tensor, 1)) as tf.Tensor;
  }
}

export const floatTinyModels: ModelRegistry = { tiny: ({ numClasses }) => new FloatTinyNet(numClasses) };
