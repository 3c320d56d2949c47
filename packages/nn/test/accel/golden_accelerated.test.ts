// The golden quantized-module, TensorQuantizer, float-layer and functional suites again, on the
// accelerated path: the same test files, collected inside this one, with acceleration enabled
// around them.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { accelerationState, disableAcceleration, enableAcceleration } from './../../src/accel/index.js';

beforeAll(async () => {
  await enableAcceleration();
});
afterAll(() => {
  disableAcceleration();
});

it('runs on the wasm backend with pq kernels', () => {
  expect(tf.getBackend()).toBe('wasm');
  expect(accelerationState().enabled).toBe(true);
});

// Each suite is imported under its own module id (the query), so that its tests register here
// even when the worker has already run that file on the cpu backend (test files share modules).
const again = (path: string) => import(/* @vite-ignore */ `${path}?accelerated`);
await again('../quant/modules_golden.test.js');
await again('../quant/tensor_quantizer_golden.test.js');
await again('../layers/torch_reference.test.js');
await again('../functional/functional.test.js');
