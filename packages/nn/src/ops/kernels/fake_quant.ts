// The forward of PqFakeTensorQuant on any backend: reads x and amax, runs the pluggable
// QuantKernels.fakeTensorQuant, writes the result back.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { PqFakeTensorQuant, type IntQuantAttrs } from '../kernel_names.js';
import { getDefaultKernels } from '../default_kernels.js';
import { readNDArray, writeNDArray } from './tensor_io.js';

export const fakeQuantKernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, amax } = inputs as { x: TensorInfo; amax: TensorInfo };
  const a = attrs as unknown as IntQuantAttrs;
  const kernels = a.kernels ?? getDefaultKernels();
  const out = kernels.fakeTensorQuant(readNDArray(backend, x), readNDArray(backend, amax), {
    numBits: a.numBits,
    unsigned: a.unsigned,
    narrowRange: a.narrowRange,
  });
  return writeNDArray(backend, out);
};

export function fakeQuantKernelConfig(backendName: string): KernelConfig {
  return { kernelName: PqFakeTensorQuant, backendName, kernelFunc: fakeQuantKernelFunc };
}

