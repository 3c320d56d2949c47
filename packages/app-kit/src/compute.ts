// --backend and --kernels: the tfjs backend (through @pq/nn's acceleration switch, which also
// installs pq's fast kernels for it) and the fake-quant kernels (pure JS or gpu.js).
import { createGpuKernels } from '@pq/kernels-gpu';
import { enableAcceleration, setDefaultKernels } from '@pq/nn';
import type { BackendName, KernelsName } from './args.js';

/** Sets up compute; returns a one-line description for the log. `warn` gets gpu.js's warnings (default console.warn). */
export async function setupCompute(
  backend: BackendName,
  kernels: KernelsName,
  warn: (line: string) => void = (line) => console.warn(line),
): Promise<string> {
  const state = await enableAcceleration({ backend });
  if (kernels === 'gpu') {
    const gpu = createGpuKernels({ onWarning: (m) => warn(`kernels: ${m}`) });
    setDefaultKernels(gpu);
    const which = gpu.backend === 'core' ? 'js (@pq/kernels-gpu found no GPU here)' : gpu.name;
    return `tfjs backend ${state.backend}, fake-quant kernels ${which}`;
  }
  return `tfjs backend ${state.backend}, fake-quant kernels js`;
}
