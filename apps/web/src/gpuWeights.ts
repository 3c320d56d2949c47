// The QAT model's weights fake-quantized by @pq/kernels-gpu (WebGPU or WebGL2 compute through
// gpu.js, or @pq/core's jsKernels where 'auto' finds no GPU faster), each compared bit for bit
// with jsKernels: the kernels refuse a device that is not exact, so a mismatch would be a bug.
import {
  type NDArray, QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL, QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW, type QuantDescriptor, jsKernels, ndarray,
} from '@pq/core';
import { type GpuMode, createAsyncGpuKernels } from '@pq/kernels-gpu';
import type { StateDict } from '@pq/lenet-app/browser';
import type { BackendChoice } from './config.js';

export interface WeightQuantRow {
  name: string;
  shape: number[];
  /** Distinct int8 levels the weights use (at most 255: narrow range). */
  levels: number;
  ms: number;
  /** Elements whose GPU fake-quantized or int8 value differs from jsKernels' in any bit. */
  mismatches: number;
}

export interface WeightQuantReport {
  /** What ran ('webgpu', 'webgl2', ...; 'core' when 'auto' found no GPU backend faster than jsKernels). */
  kernelsBackend: string;
  /** Why, as the kernels say it (e.g. "... webgl2 is a software renderer (SwiftShader), slower than jsKernels"). */
  kernelsReason: string;
  warnings: string[];
  rows: WeightQuantRow[];
}

const LAYERS: ReadonlyArray<[string, QuantDescriptor]> = [
  ['conv1', QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL], ['conv2', QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL],
  ['fc1', QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW], ['fc2', QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW],
];

/**
 * The kernels-gpu mode for the page's backend: its own GPU API, asked for by name; next to wasm
 * 'auto', a GPU if one is faster than jsKernels (a software renderer such as SwiftShader is not).
 */
export function kernelsMode(backend: BackendChoice): GpuMode {
  return backend === 'webgpu' ? 'webgpu' : backend === 'webgl' ? 'webgl2' : 'auto';
}

function bitMismatches(a: NDArray, b: NDArray): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i++) if (!Object.is(a.data[i], b.data[i])) n++;
  return n;
}

/** The QAT weights through kernels-gpu in `mode` (kernelsMode(backend) for the page's run). */
export async function fakeQuantWeightsOnGpu(state: StateDict, mode: GpuMode): Promise<WeightQuantReport> {
  const warnings: string[] = [];
  const kernels = await createAsyncGpuKernels({ mode, onWarning: (m) => warnings.push(m) });
  try {
    const rows: WeightQuantRow[] = [];
    for (const [layer, desc] of LAYERS) {
      const w = state[`${layer}.weight`];
      const a = state[`${layer}._weight_quantizer._amax`];
      if (!w || !a) throw new Error(`weights fake quant: ${layer}.weight or its amax is missing from the QAT state dict`);
      const x = ndarray(w.data, w.shape);
      const amax = ndarray(a.data, a.shape);
      const o = { numBits: desc.numBits as number, unsigned: desc.unsigned, narrowRange: desc.narrowRange };
      const t0 = performance.now();
      const fake = await kernels.fakeTensorQuant(x, amax, o);
      const ms = performance.now() - t0;
      const q = (await kernels.tensorQuant(x, amax, o)).outputs;
      rows.push({
        name: `${layer}.weight`, shape: [...w.shape], levels: new Set(q.data).size, ms,
        mismatches: bitMismatches(fake, jsKernels.fakeTensorQuant(x, amax, o)) + bitMismatches(q, jsKernels.tensorQuant(x, amax, o).outputs),
      });
    }
    return { kernelsBackend: kernels.backend, kernelsReason: kernels.reason, warnings, rows };
  } finally {
    kernels.dispose();
  }
}
