import * as tf from '@tensorflow/tfjs-core';
import '../quant/helpers/tf.js';
import { describe, expect, it } from 'vitest';
import { loadGolden } from '@pq/fixtures';
import { jsKernels, type QuantKernels } from '@pq/core';
import { fakeQuant, getDefaultKernels, realQuant, setDefaultKernels } from '@pq/nn';
import { expectExact, goldenTensor } from '../quant/helpers/golden.js';

const cases = loadGolden('tensor_quant').cases;

describe('fakeQuant op (golden tensor_quant cases)', () => {
  for (const c of cases) {
    it(`${c.name}: forward bit-exact, straight-through gradient`, () => {
      tf.tidy(() => {
        const x = goldenTensor(c.x);
        const amax = goldenTensor(c.amax);
        const o = { numBits: c.numBits, unsigned: c.unsigned, narrowRange: c.narrowRange };
        expectExact(fakeQuant(x, amax, o), c.fake, 'fake');
        const dx = tf.grad((xi: tf.Tensor) => fakeQuant(xi, amax, o))(x, goldenTensor(c.dy));
        expectExact(dx, c.dx, 'dx');
      });
    });
  }
});

describe('realQuant op (golden tensor_quant cases, narrow range)', () => {
  for (const c of cases.filter((k) => k.narrowRange)) {
    it(`${c.name}: integers and scale bit-exact`, () => {
      tf.tidy(() => {
        const x = goldenTensor(c.x);
        const { outputs, scale } = realQuant(x, goldenTensor(c.amax), { numBits: c.numBits, unsigned: c.unsigned });
        expectExact(outputs, c.quant, 'quant');
        expectExact(scale, c.scale, 'scale');
        const dx = tf.grad((xi: tf.Tensor) => realQuant(xi, goldenTensor(c.amax), { numBits: c.numBits, unsigned: c.unsigned }).outputs)(
          x,
          goldenTensor(c.dy),
        );
        expectExact(dx, c.dx, 'dx');
      });
    });
  }
});

describe('fakeQuant op mechanics', () => {
  it('accepts a number amax and frees every temporary', () => {
    const x = tf.tensor([0.3, -1.2, 2]);
    const before = tf.memory().numTensors;
    const y = fakeQuant(x, 1, { numBits: 4 });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Array.from(y.dataSync())).toEqual([Math.fround(2 / 7), -1, 1]);
    tf.dispose([x, y]);
  });

  it('uses the kernels passed as an option, then the default set by setDefaultKernels', () => {
    const calls: string[] = [];
    const counting = (tag: string): QuantKernels => ({
      ...jsKernels,
      name: tag,
      fakeTensorQuant: (x, amax, o) => {
        calls.push(tag);
        return jsKernels.fakeTensorQuant(x, amax, o);
      },
    });
    tf.tidy(() => {
      fakeQuant(tf.tensor([1, 2]), 2, { kernels: counting('option') });
      const previous = setDefaultKernels(counting('default'));
      try {
        fakeQuant(tf.tensor([1, 2]), 2);
        expect(getDefaultKernels().name).toBe('default');
      } finally {
        setDefaultKernels(previous);
      }
    });
    expect(calls).toEqual(['option', 'default']);
    expect(getDefaultKernels()).toBe(jsKernels);
  });

  it('refuses a kernels object that is not one', () => {
    expect(() => setDefaultKernels({} as QuantKernels)).toThrow(/QuantKernels/);
  });

  it('reports a negative amax and an invalid bit count from the kernels', () => {
    tf.tidy(() => {
      expect(() => fakeQuant(tf.tensor([1]), -1)).toThrow();
      expect(() => fakeQuant(tf.tensor([1]), 1, { numBits: 1 })).toThrow();
    });
  });

  it('works with optimizers: a variable fake-quantized inside minimize gets the STE gradient', () => {
    const w = tf.variable(tf.tensor([0.5, 3]));
    const opt = tf.train.sgd(1);
    opt.minimize(() => tf.sum(fakeQuant(w, 1)) as tf.Scalar);
    // |0.5| <= 1 passes the gradient 1, |3| > 1 gets none.
    expect(Array.from(w.dataSync())).toEqual([-0.5, 3]);
    w.dispose();
    opt.dispose();
  });
});
