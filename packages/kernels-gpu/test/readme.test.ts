// Keeps the README example's shown results true (its comments are the values asserted here).
import { jsKernels, ndarray } from '@pq/core';
import { describe, expect, it } from 'vitest';
import { createAsyncGpuKernels, createGpuKernels } from '../src/index.js';

describe('README example', () => {
  it('gives the results its comments show', async () => {
    const kernels = createGpuKernels();
    expect(kernels.backend).toBe('core'); // no GPU in Node here
    expect(kernels.reason).toMatch(/^'auto' found no GPU backend faster than jsKernels: gpu.js reports no headlessgl support here; /);
    const x = ndarray([0.3, -1, 2.5, -0.004, 1.75, 0.6], [2, 3]);
    const amax = kernels.reduceAmax(x, [1]);
    expect(amax).toEqual({ data: Float32Array.of(2.5, 1.75), shape: [2, 1] });
    expect(kernels.fakeTensorQuant(x, amax).data).toEqual(
      Float32Array.of(0.29527559876441956, -1.003937005996704, 2.5, -0, 1.75, 0.6062992215156555),
    );
    expect(kernels.tensorQuant(x, amax, { numBits: 4 }).outputs.data).toEqual(Float32Array.of(1, -3, 7, -0, 7, 2));
    expect(kernels.histogram(x, 4, 2.5, { skipZeros: true })).toEqual(Float64Array.of(3, 1, 1, 1));
    expect(kernels.fakeTensorQuant(x, amax).data.every((v, i) => Object.is(v, jsKernels.fakeTensorQuant(x, amax).data[i]))).toBe(true);
    kernels.dispose();

    const k = await createAsyncGpuKernels();
    expect((await k.fakeTensorQuant(x, 2)).shape).toEqual([2, 3]);
    k.dispose();
  });
});
