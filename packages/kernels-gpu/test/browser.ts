// The kernel suite in Chromium (tooling/browser-tests): jsKernels, then gpu.js's WebGL2
// (synchronous) and WebGPU (asynchronous) backends. Each must run what was asked for: a
// fallback means the self-test refused the backend, and the test fails with its reason.
import { afterAll } from 'vitest';
import { createAsyncGpuKernels, createGpuKernels, type AsyncGpuQuantKernels, type GpuQuantKernels } from '../src/index.js';
import { describeKernelSuite } from './kernel-suite.js';
import './js-kernels.test.js';

const made: (GpuQuantKernels | AsyncGpuQuantKernels)[] = [];
afterAll(() => {
  for (const k of made) k.dispose();
});

function exactly<K extends GpuQuantKernels | AsyncGpuQuantKernels>(mode: string, k: K, warnings: string[]): K {
  made.push(k);
  if (k.backend !== mode) throw new Error(warnings[0] ?? `asked for ${mode}, got ${k.backend}`);
  return k;
}

describeKernelSuite('webgl2', (o) => {
  const warnings: string[] = [];
  return exactly('webgl2', createGpuKernels({ mode: 'webgl2', onWarning: (m) => warnings.push(m), ...o }), warnings);
});

describeKernelSuite('webgpu', async (o) => {
  const warnings: string[] = [];
  return exactly('webgpu', await createAsyncGpuKernels({ mode: 'webgpu', onWarning: (m) => warnings.push(m), ...o }), warnings);
});
