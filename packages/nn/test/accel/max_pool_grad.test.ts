// pq's MaxPool (wasm) and MaxPoolGrad against tfjs's stock cpu kernels: random shapes, window sizes, strides and
// paddings, and inputs full of ties (where the first maximum must win, as in tfjs).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { int, maxRelDiff, mismatches, onAccelerated, onStockCpu, randomArray, rng, values } from './helpers.js';

function poolGrad(x: Float32Array, shape: number[], f: [number, number], s: [number, number], pad: 'valid' | 'same' | number): Float32Array[] {
  return values(
    tf.tidy(() => {
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const y = tf.maxPool(xt, f, s, pad);
      // Some dy are -0 (a ReLU's gradient gives them): every path adds them onto +0 zeros.
      const dy = tf.tensor(randomArray(y.size, rng(9)).map((v, i) => (i % 7 === 0 ? -0 : v)), y.shape);
      const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, f, s, pad), dy)))(xt);
      return [y, dx];
    }),
  );
}

describe('pq MaxPoolGrad', () => {
  const cases = Array.from({ length: 20 }, (_, i) => {
    const next = rng(300 + i);
    const f: [number, number] = [int(next, 1, 3), int(next, 1, 3)];
    const s: [number, number] = [int(next, 1, 3), int(next, 1, 3)];
    const shape = [int(next, 1, 3), int(next, 3, 9), int(next, 3, 9), int(next, 1, 4)];
    // A numeric pad only with equal strides: tfjs sizes the output from the row stride alone there.
    const pad = (['valid', 'same', 0, 1] as const)[int(next, 0, s[0] === s[1] && f[0] > 1 && f[1] > 1 ? 3 : 1)];
    const ties = i % 3 === 0;
    const x: Float32Array = Float32Array.from(randomArray(shape.reduce((p, d) => p * d, 1), next, ties ? 2 : 1), (v) => (ties ? Math.round(v) : v));
    return { f, s, shape, pad, x };
  });
  cases.push({ f: [2, 2], s: [2, 2], shape: [4, 24, 24, 10], pad: 'valid', x: randomArray(4 * 576 * 10, rng(3)) });


  it.each(cases.map((c, i) => [i, JSON.stringify({ shape: c.shape, f: c.f, s: c.s, pad: c.pad }), c] as const))(
    'case %i %s: wasm and cpu match stock cpu',
    async (_, __, c) => {
      const stock = await onStockCpu(() => poolGrad(c.x, c.shape, c.f, c.s, c.pad));
      const byBackend = [];
      for (const backend of ['wasm', 'cpu'] as const) {
        const fast = await onAccelerated(backend, () => poolGrad(c.x, c.shape, c.f, c.s, c.pad));
        byBackend.push(fast[1]!);
        // Equal values (XNNPACK may pick -0 over +0 in a window holding both, hence no Object.is).
        expect(maxRelDiff(fast[0]!, stock[0]!), `${backend} forward`).toBe(0);
        // Overlapping windows add several dy into one cell; tfjs sums in float64, pq in float32.
        expect(maxRelDiff(fast[1]!, stock[1]!), `${backend} gradient`).toBeLessThan(1e-6);
      }
      // wasm's SIMD kernel sums each cell in the JS loop's order (cpu): the same bits.
      expect(mismatches(byBackend[0]!, byBackend[1]!)).toEqual([]);
    },
  );

  it('wasm and cpu agree bit for bit where x holds NaN (it never wins a window)', async () => {
    const x = randomArray(2 * 9 * 9 * 6, rng(4)).map((v, i) => (i % 5 === 0 ? Number.NaN : v));
    const grads = [];
    for (const backend of ['wasm', 'cpu'] as const) grads.push((await onAccelerated(backend, () => poolGrad(x, [2, 9, 9, 6], [3, 3], [2, 2], 1)))[1]!);
    expect(mismatches(grads[0]!, grads[1]!)).toEqual([]);
  });
});
