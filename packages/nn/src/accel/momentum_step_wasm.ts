// PqMomentumStep on the wasm backend: pq's SIMD kernel (kernels.wat `momentum`) reads p, v and g
// in the heap and writes p' and v' there, with the float32 operations of tfjs's optimizer ops in
// their order (no fused multiply-add). On Node the native kernels compute the same (the same bits)
// on their threads. Without WebAssembly SIMD the generic loop runs.
import type * as tf from '@tensorflow/tfjs-core';
import { shapeSize } from '@pq/core';
import '../ops/register.js';
import { momentumStepKernelFunc } from '../ops/kernels/momentum_step.js';
import type { MomentumStepAttrs } from '../ops/kernel_names.js';
import { nativeKernels } from './native_provider.js';
import { heapOffset, wasmKernels } from './wasm_kernels.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

export function momentumStepWasm(): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const { p, v, g } = inputs as { p: tf.TensorInfo; v: tf.TensorInfo; g: tf.TensorInfo };
    const simd = wasmKernels(backend);
    if (simd === null || [p, v, g].some((t) => t.dtype !== 'float32')) return momentumStepKernelFunc(args);
    const { c, m, nesterov } = attrs as unknown as MomentumStepAttrs;
    const heap = backend as unknown as { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo; typedArrayFromHeap(t: tf.TensorInfo): Float32Array };
    const np = heap.makeOutput(p.shape.slice(), 'float32');
    const nv = heap.makeOutput(p.shape.slice(), 'float32');
    const native = nativeKernels();
    if (native !== null) {
      // Views after both allocations (allocating may grow the heap).
      const [pv, vv, gv, npv, nvv] = [p, v, g, np, nv].map((t) => heap.typedArrayFromHeap(t)) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
      native.momentumStep(pv, vv, gv, npv, nvv, c, m, nesterov);
      return [np, nv];
    }
    // Offsets are read after both allocations (allocating may grow the heap).
    simd.momentum(
      heapOffset(backend, p), heapOffset(backend, v), heapOffset(backend, g), heapOffset(backend, np), heapOffset(backend, nv),
      shapeSize(p.shape), c, m, nesterov ? 1 : 0,
    );
    return [np, nv];
  }) as unknown as tf.KernelFunc;
}

