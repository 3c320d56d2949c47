// The backward kernels on any backend: @pq/core's straight-through gradients on typed arrays
// (one pass, instead of abs / compare / select as separate tfjs ops).
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { fakeTensorQuantGrad, scaledE4M3Grad } from '@pq/core';
import { PqQuantGrad, PqScaledE4M3Grad, type ScaledE4M3Attrs } from '../kernel_names.js';
import { readNDArray, writeNDArray } from './tensor_io.js';

export const quantGradKernelFunc: KernelFunc = ({ inputs, backend }) => {
  const { x, amax, dy } = inputs as { x: TensorInfo; amax: TensorInfo; dy: TensorInfo };
  return writeNDArray(backend, fakeTensorQuantGrad(readNDArray(backend, x), readNDArray(backend, amax), readNDArray(backend, dy)));
};

export const scaledE4M3GradKernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, amax, dy } = inputs as { x: TensorInfo; amax: TensorInfo; dy: TensorInfo };
  const { hasAmax } = attrs as unknown as ScaledE4M3Attrs;
  const a = hasAmax ? readNDArray(backend, amax) : null;
  return writeNDArray(backend, scaledE4M3Grad(readNDArray(backend, x), a, readNDArray(backend, dy)));
};

export function quantGradKernelConfig(backendName: string): KernelConfig {
  return { kernelName: PqQuantGrad, backendName, kernelFunc: quantGradKernelFunc };
}

export function scaledE4M3GradKernelConfig(backendName: string): KernelConfig {
  return { kernelName: PqScaledE4M3Grad, backendName, kernelFunc: scaledE4M3GradKernelFunc };
}
