// The forward and backward of PqFakeBlockQuant on any backend: @pq/core's block-wise fake
// quantization (integer or E4M3) and its straight-through gradient, on typed arrays.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { fakeBlockQuant, fakeBlockQuantGrad, scaledE4M3Block } from '@pq/core';
import { PqBlockQuantGrad, PqFakeBlockQuant, type BlockQuantAttrs } from '../kernel_names.js';
import { readNDArray, writeNDArray } from './tensor_io.js';

export const fakeBlockQuantKernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, amax } = inputs as { x: TensorInfo; amax: TensorInfo };
  const a = attrs as unknown as BlockQuantAttrs;
  const xs = readNDArray(backend, x);
  const am = readNDArray(backend, amax);
  const out = a.e4m3
    ? scaledE4M3Block(xs, am, a.blockSizes)
    : fakeBlockQuant(xs, am, a.blockSizes, { numBits: a.numBits, unsigned: a.unsigned, narrowRange: a.narrowRange });
  return writeNDArray(backend, out);
};

export const blockQuantGradKernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, amax, dy } = inputs as { x: TensorInfo; amax: TensorInfo; dy: TensorInfo };
  const { blockSizes } = attrs as unknown as BlockQuantAttrs;
  return writeNDArray(backend, fakeBlockQuantGrad(readNDArray(backend, x), readNDArray(backend, amax), blockSizes, readNDArray(backend, dy)));
};

export function fakeBlockQuantKernelConfig(backendName: string): KernelConfig {
  return { kernelName: PqFakeBlockQuant, backendName, kernelFunc: fakeBlockQuantKernelFunc };
}

export function blockQuantGradKernelConfig(backendName: string): KernelConfig {
  return { kernelName: PqBlockQuantGrad, backendName, kernelFunc: blockQuantGradKernelFunc };
}
