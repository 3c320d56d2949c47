import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { F, setFunctionalHook } from '@pq/nn';

describe('F arithmetic and cat', () => {
  it('computes like tfjs and traces one op per call', () => {
    const seen: Array<[string, Record<string, unknown>]> = [];
    const prev = setFunctionalHook((op, _inputs, attrs, run) => {
      seen.push([op, attrs]);
      return run();
    });
    try {
      const a = tf.tensor([1, 2, 3, 4], [2, 2]);
      const b = tf.tensor([10, 20], [1, 2]);
      expect(Array.from(F.add(a, b).dataSync())).toEqual([11, 22, 13, 24]);
      expect(Array.from(F.sub(a, 1).dataSync())).toEqual([0, 1, 2, 3]);
      expect(Array.from(F.mul(2, a).dataSync())).toEqual([2, 4, 6, 8]);
      expect(Array.from(F.div(a, b).dataSync())).toEqual([0.1, 0.1, 0.3, 0.2].map(Math.fround));
      const c = F.cat([a, a], -1);
      expect(c.shape).toEqual([2, 4]);
      expect(seen.map(([op]) => op)).toEqual(['add', 'sub', 'mul', 'div', 'cat']);
      expect(seen[4]![1]).toEqual({ dim: 1 });
    } finally {
      setFunctionalHook(prev);
    }
  });

  it('refuses bad input with a clear message', () => {
    expect(() => F.add(1, 2)).toThrow(/F\.add: at least one operand must be a tensor/);
    expect(() => F.cat([])).toThrow(/non-empty/);
    expect(() => F.cat([tf.zeros([2, 2])], 2)).toThrow(/F\.cat: dim 2 is out of range for tensors of rank 2/);
  });
});
