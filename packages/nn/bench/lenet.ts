// The reference's LeNet (conv1 = Conv2d(1,10,5), conv2 = Conv2d(10,20,5), fc1 = Linear(320,50),
// fc2 = Linear(50,10)) written with raw tfjs ops the way @pq/nn's layers run it: activations
// NCHW, PyTorch weight layouts, convolutions transposed to NHWC around tf.conv2d. Dropout is
// left out so the step is deterministic and matches the PyTorch script. Optional fake quant at
// the input and the weight of every conv/linear layer: static amax (calibrated) or dynamic.
import * as tf from '@tensorflow/tfjs-core';
import { fakeQuant } from '../src/ops/fake_quant.js';
import { dynamicAmax as quantizerAmax } from '../src/quant/dynamic_amax.js';

export type QuantMode = 'float' | 'static' | 'dynamic';
/** 'op': @pq/nn's fakeQuant (what TensorQuantizer runs); 'tfops': the same math as stock tfjs ops. */
export type FakeQuantImpl = 'op' | 'tfops';

export interface LeNet {
  params: Record<string, tf.Variable>;
  /** Calibrated amax per quantizer (static mode): `<layer>.input` scalar, `<layer>.weight` [C,1,...]. */
  amax: Record<string, tf.Tensor>;
}

const LAYERS = ['conv1', 'conv2', 'fc1', 'fc2'] as const;

function uniform(shape: number[], bound: number, seed: number): tf.Tensor {
  return tf.randomUniform(shape, -bound, bound, 'float32', seed);
}

export function makeLeNet(seed = 1): LeNet {
  const shapes: Record<string, [number[], number]> = {
    conv1: [[10, 1, 5, 5], 25],
    conv2: [[20, 10, 5, 5], 250],
    fc1: [[50, 320], 320],
    fc2: [[10, 50], 50],
  };
  const params: Record<string, tf.Variable> = {};
  let s = seed;
  for (const [name, [shape, fanIn]] of Object.entries(shapes)) {
    const bound = 1 / Math.sqrt(fanIn);
    params[`${name}.weight`] = tf.variable(uniform(shape, bound, s++), true, `${name}.weight.${seed}`);
    params[`${name}.bias`] = tf.variable(uniform([shape[0]!], bound, s++), true, `${name}.bias.${seed}`);
  }
  return { params, amax: {} };
}

/** The reference's fake_tensor_quant as a chain of stock tfjs ops with an STE gradient. */
export function fakeQuantTfOps(x: tf.Tensor, amax: tf.Tensor, maxBound = 127): tf.Tensor {
  const f = tf.customGrad(((xt: tf.Tensor, save: tf.GradSaveFunc) => {
    const scale = tf.div(maxBound, amax);
    const q = tf.clipByValue(tf.round(tf.mul(xt, scale)), -maxBound, maxBound);
    save([xt, amax]); // a dynamic amax is made inside the forward's tidy scope
    return {
      value: tf.div(q, scale),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.cast(tf.lessEqual(tf.abs(saved[0]!), saved[1]!), 'float32')),
    };
  }) as never);
  return f(x) as tf.Tensor;
}

function dynamicAmax(x: tf.Tensor, perChannel: boolean): tf.Tensor {
  if (!perChannel) return tf.max(tf.abs(x));
  const axes = x.shape.map((_, i) => i).slice(1);
  return tf.max(tf.abs(x), axes, true);
}

export interface ForwardOptions {
  quant: QuantMode;
  impl: FakeQuantImpl;
}

function quantize(net: LeNet, key: string, x: tf.Tensor, perChannel: boolean, o: ForwardOptions): tf.Tensor {
  if (o.quant === 'float') return x;
  if (o.impl === 'op') {
    // Dynamic amax per batch exactly as TensorQuantizer computes it.
    const amax = o.quant === 'static' ? net.amax[key]! : quantizerAmax(x, perChannel ? 0 : null);
    return fakeQuant(x, amax, { narrowRange: false });
  }
  const amax = o.quant === 'static' ? net.amax[key]! : dynamicAmax(x, perChannel);
  return fakeQuantTfOps(x, amax);
}

function conv(net: LeNet, name: string, x: tf.Tensor, o: ForwardOptions): tf.Tensor {
  const xq = quantize(net, `${name}.input`, x, false, o);
  const wq = quantize(net, `${name}.weight`, net.params[`${name}.weight`]!, true, o);
  const xt = tf.transpose(xq, [0, 2, 3, 1]) as tf.Tensor4D;
  const wt = tf.transpose(wq, [2, 3, 1, 0]) as tf.Tensor4D;
  const y = tf.add(tf.conv2d(xt, wt, 1, 'valid'), net.params[`${name}.bias`]!);
  return tf.transpose(y, [0, 3, 1, 2]);
}

function linear(net: LeNet, name: string, x: tf.Tensor, o: ForwardOptions): tf.Tensor {
  const xq = quantize(net, `${name}.input`, x, false, o);
  const wq = quantize(net, `${name}.weight`, net.params[`${name}.weight`]!, true, o);
  return tf.add(tf.matMul(xq, wq, false, true), net.params[`${name}.bias`]!);
}

function maxPool2(x: tf.Tensor): tf.Tensor {
  const y = tf.maxPool(tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D, 2, 2, 'valid');
  return tf.transpose(y, [0, 3, 1, 2]);
}

/** log-probabilities [N, 10] for x [N, 1, 28, 28]. */
export function forward(net: LeNet, x: tf.Tensor, o: ForwardOptions): tf.Tensor {
  let h = tf.relu(maxPool2(conv(net, 'conv1', x, o)));
  h = tf.relu(maxPool2(conv(net, 'conv2', h, o)));
  h = tf.reshape(h, [-1, 320]);
  h = tf.relu(linear(net, 'fc1', h, o));
  return tf.logSoftmax(linear(net, 'fc2', h, o));
}

export function nllLoss(logp: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(labels as tf.Tensor1D, 10)), 1))) as tf.Scalar;
}

/** Calibration as the reference's "max" calibrator does it: amax of inputs over batches, weights per row. */
export function calibrate(net: LeNet, batches: tf.Tensor[]): void {
  tf.dispose(Object.values(net.amax));
  net.amax = {};
  const seen: Record<string, number> = {};
  const record = (key: string, t: tf.Tensor): void => {
    const m = tf.max(tf.abs(t)).dataSync()[0]!;
    seen[key] = Math.max(seen[key] ?? 0, m);
  };
  for (const x of batches) {
    tf.tidy(() => {
      let h: tf.Tensor = x;
      const o: ForwardOptions = { quant: 'float', impl: 'op' };
      record('conv1.input', h);
      h = tf.relu(maxPool2(conv(net, 'conv1', h, o)));
      record('conv2.input', h);
      h = tf.reshape(tf.relu(maxPool2(conv(net, 'conv2', h, o))), [-1, 320]);
      record('fc1.input', h);
      h = tf.relu(linear(net, 'fc1', h, o));
      record('fc2.input', h);
    });
  }
  for (const layer of LAYERS) {
    net.amax[`${layer}.input`] = tf.scalar(seen[`${layer}.input`]!);
    net.amax[`${layer}.weight`] = tf.tidy(() => dynamicAmax(net.params[`${layer}.weight`]!, true));
  }
}

/** One training step: forward, NLL loss, backward, SGD with momentum. Returns the loss. */
export function trainStep(net: LeNet, opt: tf.Optimizer, x: tf.Tensor, labels: tf.Tensor, o: ForwardOptions): number {
  const vars = Object.values(net.params);
  const { value, grads } = tf.variableGrads(() => nllLoss(forward(net, x, o), labels), vars);
  opt.applyGradients(grads);
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

export function dispose(net: LeNet): void {
  tf.dispose([...Object.values(net.params), ...Object.values(net.amax)]);
}
