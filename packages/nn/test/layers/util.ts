// Shared by the float-layer tests: tfjs setup (cpu backend, gradients), the PyTorch fixture
// (test/fixtures/float_layers.json, made by make_float_layers.py) and closeness checks.
// Importing the package registers the cpu backend and tfjs's gradients.
import '@pq/nn';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export interface Arr {
  shape: number[];
  data: number[];
}

export function tensorOf(a: Arr): tf.Tensor {
  return tf.tensor(Float32Array.from(a.data), a.shape, 'float32');
}

export function ndOf(a: Arr): { data: Float32Array; shape: number[] } {
  return { data: Float32Array.from(a.data), shape: a.shape };
}

let cached: any = null;
/** The PyTorch reference values for the float layers. */
export function fixture(): any {
  cached ??= JSON.parse(readFileSync(new URL('../fixtures/float_layers.json', import.meta.url), 'utf8'));
  return cached;
}

/**
 * Every element within `rtol` of the expected value, relative to the largest expected magnitude
 * (sums in a different order differ by a few float32 ulps of the largest term).
 */
export function expectClose(actual: tf.Tensor | ArrayLike<number>, expected: Arr, what: string, rtol = 1e-5): void {
  if (actual instanceof tf.Tensor) expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  expect(a.length, `${what}: length`).toBe(expected.data.length);
  let scale = 1e-6;
  for (const v of expected.data) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.data.length; i++) {
    const err = Math.abs(a[i]! - expected.data[i]!) / scale;
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `${what}: worst error ${worst} (relative to max ${scale}) at ${at}: got ${a[at]}, expected ${expected.data[at]}`).toBeLessThanOrEqual(rtol);
}
