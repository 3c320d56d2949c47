// What test/browser.ts compares Chromium's results with, computed in Node by the browser
// runner (tooling/browser-tests) before the page runs: the transformer fixture's bytes and
// the imported model's outputs on a fixed input.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { importOnnx } from '../src/index.js';
import { browserInput } from './browser_input.js';

declare module 'vitest' {
  interface ProvidedContext {
    'pq:onnx-model': string;
    'pq:onnx-output': number[];
  }
}

export async function provide(): Promise<Record<string, unknown>> {
  await tf.setBackend('cpu');
  const bytes = new Uint8Array(readFileSync(new URL('./fixtures/transformer_op17.onnx', import.meta.url)));
  const model = importOnnx(bytes);
  const x = browserInput();
  const y = tf.tidy(() => Array.from((model.call(x) as tf.Tensor).dataSync()));
  model.dispose();
  x.dispose();
  return { 'pq:onnx-model': Buffer.from(bytes).toString('base64'), 'pq:onnx-output': y };
}
