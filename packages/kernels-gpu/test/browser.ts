// The kernel suite in Chromium (tooling/browser-tests): jsKernels, then gpu.js's WebGL2
// (synchronous) and WebGPU (asynchronous) backends. Each must run what was asked for: a
// fallback means the self-test refused the backend, and the test fails with its reason.
// And 'auto', which here (SwiftShader, a CPU rasteriser) must pass the GPU APIs over for jsKernels.
import { afterAll, describe, expect, it } from 'vitest';
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

// first, before the suites below open WebGL and WebGPU in this page
describe("'auto' on SwiftShader", () => {
  it('runs jsKernels and says the GPU APIs are software renderers, without a warning', async () => {
    const warnings: string[] = [];
    const k = createGpuKernels({ onWarning: (m) => warnings.push(m) });
    made.push(k);
    expect(k.backend).toBe('core');
    expect(k.reason).toBe("'auto' found no GPU backend faster than jsKernels: gpu.js reports no headlessgl support here; "
      + 'webgl2 is a software renderer (SwiftShader), slower than jsKernels; webgl is a software renderer (SwiftShader), slower than jsKernels');
    const a = await createAsyncGpuKernels({ onWarning: (m) => warnings.push(m) });
    made.push(a);
    expect(a.backend).toBe('core');
    expect(a.reason).toMatch(/^'auto' found no GPU backend faster than jsKernels: webgpu is a software renderer \(SwiftShader\), slower than jsKernels; gpu.js reports no headlessgl support here; webgl2 is a software renderer/);
    expect(warnings).toEqual([]);
  });
});

describeKernelSuite('webgl2', (o) => {
  const warnings: string[] = [];
  return exactly('webgl2', createGpuKernels({ mode: 'webgl2', onWarning: (m) => warnings.push(m), ...o }), warnings);
});

describeKernelSuite('webgpu', async (o) => {
  const warnings: string[] = [];
  return exactly('webgpu', await createAsyncGpuKernels({ mode: 'webgpu', onWarning: (m) => warnings.push(m), ...o }), warnings);
});
