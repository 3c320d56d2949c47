// A small LeNet-shaped model (NCHW activations, PyTorch weight layouts, convolutions transposed
// to NHWC as @pq/nn runs them) trained a few steps: the accelerated wasm path gives the stock
// cpu path's losses and gradients, with and without fake quant, and tf.memory() stays flat.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { accelerationState, disableAcceleration, enableAcceleration } from './../../src/accel/index.js';
import { fakeQuant } from './../../src/ops/fake_quant.js';
import { dynamicAmax } from './../../src/quant/dynamic_amax.js';
import { MomentumSGD } from './../../src/momentum_sgd.js';
import { maxRelDiff, onAccelerated, onStockCpu, randomArray, rng } from './helpers.js';

type Quant = 'float' | 'static' | 'dynamic';

interface Net {
  params: tf.Variable[];
}

function makeNet(): Net {
  const next = rng(21);
  const shapes = [[4, 1, 3, 3], [4], [6, 4, 3, 3], [6], [10, 24], [10]];
  return { params: shapes.map((s) => tf.variable(tf.tensor(randomArray(s.reduce((p, d) => p * d, 1), next, 0.4), s))) };
}

function q(x: tf.Tensor, quant: Quant, perChannel: boolean): tf.Tensor {
  if (quant === 'float') return x;
  if (quant === 'dynamic') return fakeQuant(x, dynamicAmax(x, perChannel ? 0 : null), { narrowRange: false });
  return fakeQuant(x, perChannel ? tf.max(tf.abs(x), x.shape.slice(1).map((_, i) => i + 1), true) : 2.5, { narrowRange: false });
}

function conv(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, quant: Quant): tf.Tensor {
  const xt = tf.transpose(q(x, quant, false), [0, 2, 3, 1]) as tf.Tensor4D;
  const wt = tf.transpose(q(w, quant, true), [2, 3, 1, 0]) as tf.Tensor4D;
  const y = tf.add(tf.conv2d(xt, wt, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]), b);
  return tf.transpose(tf.relu(tf.maxPool(y as tf.Tensor4D, 2, 2, 'valid')), [0, 3, 1, 2]);
}

function loss(net: Net, x: tf.Tensor, labels: tf.Tensor, quant: Quant): tf.Scalar {
  const [w1, b1, w2, b2, w3, b3] = net.params as [tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  let h = conv(x, w1, b1, quant);
  h = conv(h, w2, b2, quant);
  h = tf.reshape(h, [x.shape[0]!, 24]);
  const logits = tf.add(tf.matMul(q(h, quant, false), q(w3, quant, true), false, true), b3);
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(labels as tf.Tensor1D, 10)), 1))) as tf.Scalar;
}

/** Trains `steps` SGD steps; returns the losses and the final parameters. */
function train(quant: Quant, steps: number): { losses: number[]; params: Float32Array[]; tensorsPerStep: number[] } {
  const net = makeNet();
  const x = tf.tensor(randomArray(8 * 8 * 8, rng(4)), [8, 1, 8, 8]);
  const labels = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
  const opt = new MomentumSGD(0.05, 0.9);
  const losses: number[] = [];
  const tensorsPerStep: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { value, grads } = tf.variableGrads(() => loss(net, x, labels, quant), net.params);
    opt.applyGradients(grads as tf.NamedTensorMap as never);
    losses.push(value.dataSync()[0]!);
    tf.dispose([value, ...Object.values(grads)]);
    tensorsPerStep.push(tf.memory().numTensors);
  }
  const params = net.params.map((p) => Float32Array.from(p.dataSync()));
  opt.dispose();
  tf.dispose([x, labels, ...net.params]);
  return { losses, params, tensorsPerStep };
}

describe('training on the accelerated path', () => {
  it.each(['float', 'static', 'dynamic'] as const)('%s: wasm matches stock cpu and memory stays flat', async (quant) => {
    const stock = await onStockCpu(() => train(quant, 4));
    const fast = await onAccelerated('wasm', () => train(quant, 12));
    expect(maxRelDiff(fast.losses.slice(0, 4), stock.losses)).toBeLessThan(1e-4);
    expect(fast.losses[11]!).toBeLessThan(fast.losses[0]!);
    const again = await onAccelerated('wasm', () => train(quant, 4));
    again.params.forEach((p, i) => expect(maxRelDiff(p, stock.params[i]!), `param ${i}`).toBeLessThan(1e-3));
    // The optimizer's slots appear on the first step; from then on every step frees what it makes.
    expect(new Set(fast.tensorsPerStep.slice(1)).size).toBe(1);
  });
});

describe('enableAcceleration / disableAcceleration', () => {
  it('installs pq kernels only while enabled and restores the previous backend', async () => {
    await onStockCpu(() => undefined);
    const stockConv = tf.getKernel('Conv2DBackpropFilter', 'cpu');
    const state = await enableAcceleration();
    expect(state.backend).toBe('wasm');
    expect(state.kernels).toEqual(expect.arrayContaining(['Conv2DBackpropFilter@wasm', 'Conv2DBackpropInput@wasm', 'MaxPoolGrad@wasm', 'MaxPool@wasm', 'Conv2D@wasm']));
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBe(stockConv);
    await enableAcceleration({ backend: 'cpu' });
    expect(accelerationState().kernels).toContain('Conv2DBackpropFilter@cpu');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    disableAcceleration();
    expect(accelerationState()).toEqual({ enabled: false, backend: 'cpu', threads: 1, kernels: [], native: { active: false, threads: 0, reason: 'acceleration is off' } }); // the backend before the first enable
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBe(stockConv);
    await expect(enableAcceleration({ backend: 'webgl' as never })).rejects.toThrow(/backend must be 'wasm' or 'cpu', got 'webgl'/);
  });
});
