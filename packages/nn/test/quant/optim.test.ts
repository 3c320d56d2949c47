import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { describe, expect, it } from 'vitest';
import {
  Module, MomentumSGD, QuantConv2d, QuantLinear, fakeQuant, freezeParameters, groupParameters, matchParameters, quantWeightInplace,
} from '@pq/nn';

class Net extends Module {
  conv1 = new QuantConv2d(1, 2, 3);
  fc1 = new QuantLinear(4, 2);
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
}

describe('optim helpers', () => {
  it('matches, groups and freezes parameters by name pattern', () => {
    const m = new Net();
    expect(matchParameters(m, ['weight'])).toEqual([m.conv1.weight, m.fc1.weight]);
    expect(matchParameters(m, [/^fc1\./])).toEqual([m.fc1.weight, m.fc1.bias]);
    const groups = groupParameters(m, [['conv1'], ['fc1']], { lrs: [0.1, 0.01], momentums: [0.9, 0.8] });
    expect(groups).toEqual([
      { params: [m.conv1.weight, m.conv1.bias], lr: 0.1, momentum: 0.9 },
      { params: [m.fc1.weight, m.fc1.bias], lr: 0.01, momentum: 0.8 },
    ]);
    expect(() => groupParameters(m, [['conv1']], { lrs: [1, 2] })).toThrow(/lrs has 2 entries, patternsList 1/);
    expect(freezeParameters(m, ['bias'])).toEqual(['conv1.bias', 'fc1.bias']);
    expect(m.conv1.bias!.trainable).toBe(false);
    expect(m.conv1.weight.trainable).toBe(true);
    m.dispose();
  });

  it('quantizes weights in place with each weight quantizer', () => {
    const m = new Net();
    const expected = tf.tidy(() => Array.from(fakeQuant(m.fc1.weight, tf.max(tf.abs(m.fc1.weight), 1, true)).dataSync()));
    expect(quantWeightInplace(m)).toEqual(['conv1', 'fc1']);
    expect(Array.from(m.fc1.weight.dataSync())).toEqual(expected);
    m.dispose();
  });
});

describe('MomentumSGD', () => {
  const run = (opt: tf.Optimizer, v: tf.Variable, steps: number, lrAt?: (i: number) => number): void => {
    for (let i = 0; i < steps; i++) {
      if (lrAt) (opt as tf.SGDOptimizer).setLearningRate(lrAt(i));
      opt.minimize(() => tf.sum(tf.square(v)) as tf.Scalar, true, [v])?.dispose();
    }
  };

  it('keeps tf.memory() flat over steps and learning-rate changes, and frees everything on dispose', () => {
    const v = tf.variable(tf.tensor1d([1, -2, 3]));
    const before = tf.memory().numTensors;
    const opt = new MomentumSGD(0.1, 0.9);
    run(opt, v, 1);
    const stepping = tf.memory().numTensors;
    run(opt, v, 10, (i) => 0.1 / (i + 1));
    expect(tf.memory().numTensors).toBe(stepping);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    v.dispose();
  });

  it("is PyTorch's SGD with momentum (v = m v + g; p -= lr v), and setMomentum takes effect", () => {
    const v = tf.variable(tf.tensor1d([1]));
    const opt = new MomentumSGD(0.1, 0.5);
    run(opt, v, 2); // g = 2p: v1 = 2, p1 = 0.8; v2 = 0.5 * 2 + 1.6 = 2.6, p2 = 0.54
    expect(v.dataSync()[0]).toBeCloseTo(0.54, 6);
    opt.setMomentum(0); // plain SGD from here: p3 = 0.54 - 0.1 * 1.08
    run(opt, v, 1);
    expect(v.dataSync()[0]).toBeCloseTo(0.432, 6);
    opt.dispose();
    v.dispose();
  });
});
