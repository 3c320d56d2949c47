import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { describe, expect, it } from 'vitest';
import { QuantDescriptor } from '@pq/core';
import { F, Module, QuantLinear, manualSeed } from '@pq/nn';

class TwoLayer extends Module {
  fc1 = new QuantLinear(8, 16, { quantDescInput: new QuantDescriptor({ learnAmax: true, amax: 1 }) });
  fc2 = new QuantLinear(16, 4);
  forward(x: tf.Tensor): tf.Tensor {
    return this.fc2.call(F.relu(this.fc1.call(x) as tf.Tensor)) as tf.Tensor;
  }
}

describe('quantization-aware training', () => {
  it('trains 100 steps with a constant tensor count after the first, learning amax too', () => {
    manualSeed(0);
    const model = new TwoLayer();
    const x = tf.randomNormal([32, 8], 0, 1, 'float32', 11);
    const target = tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 4), 'int32');
    const opt = tf.train.sgd(0.05);
    const step = (): number => {
      const loss = opt.minimize(() => F.crossEntropy(model.call(x) as tf.Tensor, target) as tf.Scalar, true)!;
      const v = loss.dataSync()[0]!;
      loss.dispose();
      return v;
    };
    const first = step();
    const count = tf.memory().numTensors;
    let last = first;
    for (let i = 1; i < 100; i++) {
      last = step();
      expect(tf.memory().numTensors).toBe(count);
    }
    expect(last).toBeLessThan(first);
    // The learned clip range moved away from its initial [-1, 1].
    expect(model.fc1.inputQuantizer.clip!.clip_value_max.dataSync()[0]).not.toBe(1);
    tf.dispose([x, target]);
    opt.dispose();
    model.dispose();
  });
});
