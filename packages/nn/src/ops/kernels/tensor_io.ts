// Moving tensor data between a tfjs backend and the typed-array world of QuantKernels. Only
// `readSync` and `write`, which every tfjs backend implements, so one kernel serves them all.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import type { NDArray } from '@pq/core';

/** `backend` is what a KernelFunc receives (typed `{}` by tfjs); every backend is a KernelBackend. */
export function readNDArray(backend: object, t: TensorInfo): NDArray {
  const values = (backend as KernelBackend).readSync(t.dataId);
  const data = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  return { data, shape: [...t.shape] };
}

export function writeNDArray(backend: object, a: NDArray): TensorInfo {
  const shape = [...a.shape];
  const dataId = (backend as KernelBackend).write(a.data, shape, 'float32');
  return { dataId, shape, dtype: 'float32' };
}
