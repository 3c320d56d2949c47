// What test/browser.ts compares Chromium's results with, computed in Node by the browser
// runner (tooling/browser-tests) before the page runs.
import { moduleCaseNumbers } from './quant/helpers/module_cases.js';
import './quant/helpers/tf.js';
import { disableAcceleration } from '../src/index.js';

declare module 'vitest' {
  interface ProvidedContext {
    'pq:nn-module-cases': Record<string, number[]>;
  }
}

export function provide(): Record<string, unknown> {
  disableAcceleration(); // tfjs's cpu backend with its stock kernels, as in the page (Node's default is wasm + pq's kernels)
  return { 'pq:nn-module-cases': moduleCaseNumbers() };
}
