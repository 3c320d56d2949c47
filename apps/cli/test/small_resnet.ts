// The network of packages/onnx/test/fixtures/resnet18_op13.onnx written with @pq/vision's
// BasicBlock: torchvision's ResNet-18 at base width 8 (8, 16, 32, 64 channels), 10 classes,
// with torchvision's module names and forward.
import type * as tf from '@tensorflow/tfjs-core';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, F, Linear, MaxPool2d, Module, ReLU, Sequential } from '@pq/nn';
import { BasicBlock } from '@pq/vision';

function layer(inplanes: number, planes: number, stride: number): Sequential {
  const downsample = stride !== 1 || inplanes !== planes
    ? new Sequential(new Conv2d(inplanes, planes, 1, { stride, bias: false }), new BatchNorm2d(planes))
    : null;
  return new Sequential(new BasicBlock(inplanes, planes, { stride, downsample }), new BasicBlock(planes, planes));
}

export class SmallResNet18 extends Module {
  conv1 = new Conv2d(3, 8, 7, { stride: 2, padding: 3, bias: false });
  bn1 = new BatchNorm2d(8);
  relu = new ReLU({ inplace: true });
  maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
  layer1 = layer(8, 8, 1);
  layer2 = layer(8, 16, 2);
  layer3 = layer(16, 32, 2);
  layer4 = layer(32, 64, 2);
  avgpool = new AdaptiveAvgPool2d([1, 1]);
  fc = new Linear(64, 10);

  override forward(x: tf.Tensor): tf.Tensor {
    let h = this.maxpool.call(this.relu.call(this.bn1.call(this.conv1.call(x)))) as tf.Tensor;
    h = this.layer4.call(this.layer3.call(this.layer2.call(this.layer1.call(h)))) as tf.Tensor;
    return this.fc.call(F.flatten(this.avgpool.call(h) as tf.Tensor, 1)) as tf.Tensor;
  }
}
