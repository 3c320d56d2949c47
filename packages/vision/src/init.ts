// torchvision's weight initialisation loops. They match layers with `isinstance(m, nn.Conv2d)`
// and `isinstance(m, nn.Linear)`: in the reference a QuantConv2d / QuantLinear is not an
// nn.Conv2d / nn.Linear (it derives from _ConvNd / Linear's base), so a ResNet built with
// quantize=True keeps PyTorch's default initialisation in its quantized layers, unless
// quant_modules is active (then nn.Conv2d *is* QuantConv2d). pq does the same.
import {
  BatchNormNd, Conv2d, Linear, Module, QuantConv2d, QuantLinear, assignValue, init, quantModules, type Generator,
} from '@pq/nn';
import * as tf from '@tensorflow/tfjs-core';

/** Whether `isinstance(m, nn.Conv2d)` holds for `m` in the reference. */
function isTorchConv2d(m: Module): m is Conv2d {
  return m instanceof Conv2d && (!(m instanceof QuantConv2d) || quantModules.active);
}

function isTorchLinear(m: Module): m is Linear {
  return m instanceof Linear && (!(m instanceof QuantLinear) || quantModules.active);
}

export interface InitOptions {
  /** Also initialise linear layers with N(0, 0.01^2) and a zero bias (MobileNetV2). */
  linear?: boolean;
  gen?: Generator;
}

/**
 * Convolutions: kaiming normal (fan_out, gain sqrt(2): ResNet's 'relu' and MobileNetV2's default
 * 'leaky_relu' with slope 0 give the same) weights, zero bias; normalisation layers: scale 1,
 * shift 0; with `linear`, linear layers N(0, 0.01^2) and zero bias.
 */
export function initWeights(model: Module, o: InitOptions = {}): void {
  for (const [, m] of model.namedModules()) {
    if (isTorchConv2d(m)) {
      assignValue(m.weight, () => init.kaimingNormal(m.weight.shape, { mode: 'fan_out', nonlinearity: 'relu' }, o.gen));
      if (m.bias !== null) assignValue(m.bias, () => tf.zerosLike(m.bias!));
    } else if (m instanceof BatchNormNd) {
      if (m.weight !== null) assignValue(m.weight, () => tf.onesLike(m.weight!));
      if (m.bias !== null) assignValue(m.bias, () => tf.zerosLike(m.bias!));
    } else if (o.linear && isTorchLinear(m)) {
      assignValue(m.weight, () => init.normal(m.weight.shape, 0, 0.01, o.gen));
      if (m.bias !== null) assignValue(m.bias, () => tf.zerosLike(m.bias!));
    }
  }
}

/** Zeroes a normalisation layer's scale (zeroInitResidual). */
export function zeroInit(norm: Module): void {
  const weight = (norm as { weight?: unknown }).weight;
  if (weight instanceof tf.Variable) assignValue(weight, () => tf.zerosLike(weight));
}
