import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { describe, expect, it } from 'vitest';
import { loadGolden, type TensorQuantizerCase } from '@pq/fixtures';
import { QuantDescriptor } from '@pq/core';
import { TensorQuantizer } from '@pq/nn';
import { expectExact, goldenTensor } from './helpers/golden.js';

const cases = loadGolden('modules').cases.filter((c): c is TensorQuantizerCase => c.name.startsWith('TensorQuantizer'));

describe('TensorQuantizer (golden modules cases)', () => {
  it('has the seven reference cases', () => {
    expect(cases.length).toBe(7);
  });

  for (const c of cases) {
    it(`${c.name}: output, input gradient${c.clipMinGrad !== undefined ? ', clip gradients' : ''}${c.scale ? ', scale' : ''}`, () => {
      const q = new TensorQuantizer(new QuantDescriptor(c.desc));
      if (c.amax && !c.desc.learnAmax) q.amax = goldenTensor(c.amax);
      tf.tidy(() => {
        const x = goldenTensor(c.x);
        const dy = goldenTensor(c.dy);
        expectExact(q.call(x) as tf.Tensor, c.y, 'y');
        if (c.scale) expectExact(q.scale as tf.Tensor, c.scale, 'scale');
        if (c.desc.learnAmax) {
          const lo = q.clip!.clip_value_min as tf.Variable;
          const hi = q.clip!.clip_value_max as tf.Variable;
          expectExact(tf.maximum(tf.neg(lo), hi), c.amax!, 'initial learned amax');
          expectExact(tf.grad((xi: tf.Tensor) => q.call(xi) as tf.Tensor)(x, dy), c.dx, 'dx');
          const { grads } = tf.variableGrads(() => tf.sum(tf.mul(q.call(x) as tf.Tensor, dy)) as tf.Scalar, [lo, hi]);
          const dlo = grads[lo.name];
          const dhi = grads[hi.name];
          // Sums of many dy values: equal up to summation order (1e-5 relative).
          expect(Math.abs(dlo!.dataSync()[0]! - c.clipMinGrad!)).toBeLessThanOrEqual(1e-5 * Math.abs(c.clipMinGrad!));
          expect(Math.abs(dhi!.dataSync()[0]! - c.clipMaxGrad!)).toBeLessThanOrEqual(1e-5 * Math.abs(c.clipMaxGrad!));
        } else {
          expectExact(tf.grad((xi: tf.Tensor) => q.call(xi) as tf.Tensor)(x, dy), c.dx, 'dx');
        }
      });
      q.dispose();
    });
  }
});
