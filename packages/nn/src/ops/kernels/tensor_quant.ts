// The forward of PqTensorQuant (real quantization) on any backend: two outputs, the integers
// (as floats) and the scale used.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { PqTensorQuant, type IntQuantAttrs } from '../kernel_names.js';
import { getDefaultKernels } from '../default_kernels.js';
import { readNDArray, writeNDArray } from './tensor_io.js';

export const tensorQuantKernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, amax } = inputs as { x: TensorInfo; amax: TensorInfo };
  const a = attrs as unknown as IntQuantAttrs;
  const kernels = a.kernels ?? getDefaultKernels();
  const { outputs, scale } = kernels.tensorQuant(readNDArray(backend, x), readNDArray(backend, amax), {
    numBits: a.numBits,
    unsigned: a.unsigned,
    narrowRange: a.narrowRange,
  });
  return [writeNDArray(backend, outputs), writeNDArray(backend, scale)];
};

export function tensorQuantKernelConfig(backendName: string): KernelConfig {
  return { kernelName: PqTensorQuant, backendName, kernelFunc: tensorQuantKernelFunc };
}
