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

await import('../quant/modules_golden.test.js');
await import('../quant/tensor_quantizer_golden.test.js');
await import('../layers/torch_reference.test.js');
await import('../functional/functional.test.js');
