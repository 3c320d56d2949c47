// The shared suite on one gpu.js backend of createGpuKernels, every kernels object it makes
// disposed after the file's tests.
import { afterAll } from 'vitest';
import { createGpuKernels, type GpuMode, type GpuQuantKernels } from '../src/index.js';
import { describeKernelSuite, type SuiteOptions } from './kernel-suite.js';

export function describeGpuModeSuite(mode: GpuMode, suite: SuiteOptions = {}): void {
  const made: GpuQuantKernels[] = [];
  afterAll(() => {
    for (const k of made) k.dispose();
  });
  describeKernelSuite(mode, (o) => {
    const k = createGpuKernels({ mode, ...o });
    made.push(k);
    return k;
  }, suite);
}
