// Identity on wasm shares its input's buffer, as tfjs's cpu backend (and wasm's own Reshape)
// do, instead of tfjs-wasm's copy. The engine runs Identity for tf.clone and for every tensor a
// gradient saves (~500 copies a ResNet-18 training step); tensors are immutable and the wasm
// backend counts references per buffer, so the buffer is freed with the last tensor using it.
import type * as tf from '@tensorflow/tfjs-core';
import { callKernel } from './kernel_call.js';

export function identityShared(original: tf.KernelConfig | undefined): tf.KernelFunc {
  return (({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend }) => {
    const x = inputs['x']!;
    // Strings live outside the heap; the stock kernel handles them.
    if (x.dtype === 'string') return callKernel('Identity', 'wasm', backend, inputs, {}, original);
    (backend as unknown as { incRef(id: tf.DataId): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  }) as tf.KernelFunc;
}
