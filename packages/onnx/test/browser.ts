// In Chromium (tooling/browser-tests), on the cpu backend: the main entry imports a model from
// its bytes and computes exactly what Node computes; a damaged file is refused the same way.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, inject, it } from 'vitest';
import { OnnxImportError, importOnnx } from '../src/index.js';
import { browserInput } from './browser_input.js';

describe('@pq/onnx in the browser', () => {
  it('imports a torch.onnx transformer from its bytes; outputs bit for bit equal to Node', async () => {
    await tf.setBackend('cpu');
    const bytes = Uint8Array.from(atob(inject('pq:onnx-model')), (c) => c.charCodeAt(0));
    const model = importOnnx(bytes);
    const x = browserInput();
    const y = tf.tidy(() => Array.from((model.call(x) as tf.Tensor).dataSync()));
    expect(y).toEqual(inject('pq:onnx-output'));
    model.dispose();
    x.dispose();
    expect(() => importOnnx(bytes.subarray(0, 1000))).toThrow(OnnxImportError);
  });
});
