// The kernels of pq's own ops that run only on the native kernels (the channels-first depthwise
// convolution, a conv weight's fused fake quantization): the output allocated on the wasm heap
// and filled by a native call on views of the inputs, or an error naming the op where the native
// kernels or the wasm backend are missing (the ops are registered only where both are).
import type * as tf from '@tensorflow/tfjs-core';
import type { CpuKernels } from '@pq/kernels-native';
import { fillOnHeap } from './data_access.js';
import { nativeKernels } from './native_provider.js';

/** `outShape` filled on the wasm heap by `call(kernels, out, inputs)`, `inputs` viewed there. */
export function onNative(
  name: string, backend: tf.KernelBackend, outShape: number[], inputs: tf.TensorInfo[],
  call: (k: CpuKernels, out: Float32Array, ins: Float32Array[]) => void,
): tf.TensorInfo {
  const k = nativeKernels();
  if (k === null) throw new Error(`${name}: needs pq's native kernels (@pq/kernels-native), which do not run here`);
  const done = fillOnHeap(backend, outShape, inputs, (out, ins) => call(k, out, ins));
  if (done === null) throw new Error(`${name}: runs on the wasm backend only, on float32 tensors`);
  return done;
}
