// The suites that also run in Chromium (tooling/browser-tests), on the cpu backend: the
// quantizer and quantized-module golden cases, and every module case's outputs and gradients
// bit for bit equal to Node's (computed by browser.provide.ts in the same run).
import { describe, expect, inject, it } from 'vitest';
import { moduleCaseNumbers } from './quant/helpers/module_cases.js';
import './quant/helpers/tf.js';
import './quant/modules_golden.test.js';
import './quant/tensor_quantizer_golden.test.js';

describe('Chromium computes what Node computes', () => {
  it('every quantized module case: outputs, input and parameter gradients, bit for bit', () => {
    const node = inject('pq:nn-module-cases');
    const here = moduleCaseNumbers();
    expect(Object.keys(here)).toEqual(Object.keys(node));
    for (const [k, v] of Object.entries(node)) expect(here[k], k).toEqual(v);
  });
});
