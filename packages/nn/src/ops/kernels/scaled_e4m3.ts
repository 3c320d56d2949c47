// The forward of PqScaledE4M3 on any backend: FP8 E4M3 emulation from @pq/core.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { scaledE4M3 } from '@pq/core';
import { PqScaledE4M3, type ScaledE4M3Attrs } from '../kernel_names.js';
import { readNDArray, writeNDArray } from './tensor_io.js';

export const scaledE4M3KernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, amax } = inputs as { x: TensorInfo; amax: TensorInfo };
  const { hasAmax } = attrs as unknown as ScaledE4M3Attrs;
  const amaxValue = hasAmax ? readNDArray(backend, amax) : undefined;
  return writeNDArray(backend, scaledE4M3(readNDArray(backend, x), amaxValue));
};

export function scaledE4M3KernelConfig(backendName: string): KernelConfig {
  return { kernelName: PqScaledE4M3, backendName, kernelFunc: scaledE4M3KernelFunc };
}
