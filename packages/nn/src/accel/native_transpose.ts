// Transposes that pq's wasm kernels leave to tfjs's element-at-a-time kernel (those of rank 5 or 6
// once size-1 axes are dropped and adjacent ones merged, ~10-20 ns an element) on pq's native
// kernels (native_provider.ts): the input is read where the wasm backend keeps it and the result
// written into a tensor that backend allocated. 32-bit elements (float32, int32) are moved as bit
// patterns, never converted, so the result is the stock kernel's bit for bit. The common ones
// (NCHW <-> NHWC, conv weight layouts) stay on the wasm kernels (transpose_simd.ts): measured
// inside a ResNet-18 training step (batch 32, 32x32) on the shared 2-core development machine, the
// native kernel was no faster on one thread and slower on two (load average 3-4: the second core
// was seldom free for the 0.05-2 ms a transpose takes). Anything else returns null.
import type * as tf from '@tensorflow/tfjs-core';
import { nativeKernels } from './native_provider.js';
import { mergedPermutation } from './transpose_simd.js';

interface Heap {
  /** A Float32Array for float32 tensors, an Int32Array for int32 ones. */
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** Most axes the native transpose takes (CpuKernels.transpose). */
const MAX_RANK = 6;

export function transposeNative(backend: tf.KernelBackend, x: tf.TensorInfo, perm: readonly number[]): tf.TensorInfo | null {
  if ((x.dtype !== 'float32' && x.dtype !== 'int32') || x.shape.length > MAX_RANK) return null;
  const heap = backend as unknown as Heap;
  if (typeof heap.typedArrayFromHeap !== 'function') return null;
  // Nothing moves (only size-1 axes do): tfjs's kernel shares the data instead of copying.
  if (mergedPermutation(x.shape, perm).perm.length < 2) return null;
  const k = nativeKernels();
  if (k === null) return null;
  const out = heap.makeOutput(perm.map((p) => x.shape[p]!), x.dtype);
  try {
    // Views taken after the allocation: it may grow (and so detach) the heap.
    k.transpose(heap.typedArrayFromHeap(x), heap.typedArrayFromHeap(out), x.shape, perm);
  } catch (e) {
    backend.disposeData(out.dataId);
    throw e;
  }
  return out;
}
