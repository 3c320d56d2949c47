// The shared suite on gpu.js's 'cpu' backend.
import { afterAll } from 'vitest';
import { createGpuKernels, type GpuQuantKernels } from '../src/index.js';
import { describeKernelSuite } from './kernel-suite.js';

const made: GpuQuantKernels[] = [];
afterAll(() => {
  for (const k of made) k.dispose();
});

describeKernelSuite('cpu', (o) => {
  const k = createGpuKernels({ mode: 'cpu', ...o });
  made.push(k);
  return k;
}, { large: true });
