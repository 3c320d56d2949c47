import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { describe, expect, it } from 'vitest';
import {
  Module, QuantConv2d, QuantLinear, fakeQuant, freezeParameters, groupParameters, matchParameters, quantWeightInplace,
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
