// Test helpers: golden arrays as tensors, and closeness checks with useful messages.
import * as tf from '@tensorflow/tfjs-core';
import { goldenArray, type GoldenArray } from '@pq/fixtures';
import { expect } from 'vitest';

export function goldenTensor(a: GoldenArray): tf.Tensor {
  const g = goldenArray(a);
  return tf.tensor(g.data, g.shape, 'float32');
}

export function goldenND(a: GoldenArray): { data: Float32Array; shape: number[] } {
  return goldenArray(a);
}

/** Every element bit-identical to the golden array (and the same shape). */
export function expectExact(actual: tf.Tensor, expected: GoldenArray, what = 'value'): void {
  const g = goldenArray(expected);
  expect(actual.shape, `${what} shape`).toEqual(g.shape);
  const a = actual.dataSync();
  let bad = -1;
  for (let i = 0; i < g.data.length; i++) {
    if (!Object.is(a[i], g.data[i]) && !(a[i] === 0 && g.data[i] === 0)) {
      bad = i;
      break;
    }
  }
  expect(bad, `${what}: first mismatch at ${bad}: got ${a[bad]}, expected ${g.data[bad]}`).toBe(-1);
}

/**
 * Close within `rtol` relative to the largest magnitude of the expected array (so values near 0
 * after cancellation do not demand impossible relative precision), element by element.
 */
export function expectClose(actual: tf.Tensor, expected: GoldenArray, what = 'value', rtol = 1e-5): void {
  const g = goldenArray(expected);
  expect(actual.shape, `${what} shape`).toEqual(g.shape);
  const a = actual.dataSync();
  let scale = 0;
  for (const v of g.data) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < g.data.length; i++) {
    const err = Math.abs(a[i]! - g.data[i]!) / Math.max(Math.abs(g.data[i]!), scale, 1e-30);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `${what}: worst relative error ${worst} at ${at} (got ${a[at]}, expected ${g.data[at]})`).toBeLessThanOrEqual(rtol);
}
