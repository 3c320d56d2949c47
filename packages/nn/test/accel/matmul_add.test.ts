// pq's wasm BatchMatMul (transposed operands made plain first) and Add (a broadcast row added by
// pq's SIMD kernel, incl. rows whose length is no multiple of 4) against tfjs's stock cpu
// kernels, on random shapes.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { int, maxRelDiff, mismatches, onAccelerated, onStockCpu, randomArray, rng, values } from './helpers.js';

describe('pq BatchMatMul (wasm)', () => {
  const cases = Array.from({ length: 12 }, (_, i) => {
    const next = rng(500 + i);
    const [m, k, n] = [int(next, 1, 40), int(next, 1, 40), int(next, 1, 40)];
    const batch = i % 3 === 0 ? [int(next, 1, 3)] : [];
    const tA = next() < 0.5;
    const tB = next() < 0.5;
    const aShape = [...batch, ...(tA ? [k, m] : [m, k])];
    const bShape = [...batch, ...(tB ? [n, k] : [k, n])];
    return { aShape, bShape, tA, tB, a: randomArray(aShape.reduce((p, d) => p * d, 1), next), b: randomArray(bShape.reduce((p, d) => p * d, 1), next) };
  });
  it.each(cases.map((c, i) => [i, JSON.stringify({ a: c.aShape, b: c.bShape, tA: c.tA, tB: c.tB }), c] as const))(
    'case %i %s matches stock cpu, with gradients',
    async (_, __, c) => {
      const run = (): Float32Array[] =>
        values(
          tf.tidy(() => {
            const a = tf.tensor(c.a, c.aShape);
            const b = tf.tensor(c.b, c.bShape);
            const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.matMul(x, y, c.tA, c.tB);
            const y = f(a, b);
            const dy = tf.tensor(randomArray(y.size, rng(3)), y.shape);
            return [y, ...tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(f(x, z), dy)))([a, b])];
          }),
        );
      const stock = await onStockCpu(run);
      const fast = await onAccelerated('wasm', run);
      fast.forEach((v, k) => expect(maxRelDiff(v, stock[k]!), `output ${k}`).toBeLessThan(1e-5));
    },
  );
});

describe('pq Add (wasm)', () => {
  const shapes: Array<[number[], number[]]> = [
    [[64, 24, 24, 10], [10]], [[10], [64, 24, 24, 10]], [[8, 12, 12, 20], [1, 1, 1, 20]], [[500, 50], [50]],
    [[3, 40, 30], [40, 30]], [[2, 5, 7, 300], [7, 300]], [[4, 4], [4]], [[1, 3000], [3000]], [[30, 70], [30, 1]],
    [[2, 3, 5, 7], [5, 7]], [[9, 7], [1, 7]], [[6, 3], [3]], [[5], [5]],
  ];
  it.each(shapes.map((s) => [JSON.stringify(s), s] as const))('%s matches stock cpu bit for bit, with gradients', async (_, [aShape, bShape]) => {
    const next = rng(aShape.length * 31 + bShape.length);
    const a = randomArray(aShape.reduce((p, d) => p * d, 1), next);
    const b = randomArray(bShape.reduce((p, d) => p * d, 1), next);
    const run = (): Float32Array[] =>
      values(
        tf.tidy(() => {
          const at = tf.tensor(a, aShape);
          const bt = tf.tensor(b, bShape);
          const y = tf.add(at, bt);
          const dy = tf.tensor(randomArray(y.size, rng(4)), y.shape);
          return [y, ...tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(tf.add(x, z), dy)))([at, bt])];
        }),
      );
    const stock = await onStockCpu(run);
    const fast = await onAccelerated('wasm', run);
    expect(mismatches(fast[0]!, stock[0]!)).toEqual([]);
    // The bias gradient sums up to 37k terms; wasm's Sum and cpu's add them in different orders.
    fast.slice(1).forEach((v, k) => expect(maxRelDiff(v, stock[k + 1]!), `gradient ${k}`).toBeLessThan(1e-4));
  });
});
