// Transpose with a memory of where each result came from. @pq/nn keeps activations NCHW and
// transposes to NHWC around every tfjs convolution and pooling op, so a conv followed by a pool
// transposes NHWC -> NCHW -> NHWC, and the backward pass mirrors it. When a transpose undoes
// the one that produced its input and that input's data is still alive, the kernel hands back
// the original data (shared, reference-counted, as tfjs's own Reshape does) instead of copying;
// so does one that moves only size-1 axes.
import type * as tf from '@tensorflow/tfjs-core';
import { callKernel } from './kernel_call.js';
import { mergedPermutation, transposeSimd } from './transpose_simd.js';

interface Origin {
  source: tf.DataId;
  perm: number[];
  /** The transpose's output shape: a Reshape shares the data under another shape, which the perm does not undo. */
  shape: number[];
}

interface RefCounting {
  refCount(dataId: tf.DataId): number;
  incRef(dataId: tf.DataId): void;
}

const origins = new WeakMap<object, Origin>();

function undoes(first: readonly number[], second: readonly number[]): boolean {
  if (first.length !== second.length) return false;
  for (let i = 0; i < first.length; i++) if (first[second[i]!] !== i) return false;
  return true;
}

export function transposeWithPeephole(
  backend: tf.KernelBackend,
  backendName: string,
  x: tf.TensorInfo,
  perm: number[],
  original: tf.KernelConfig | undefined,
): tf.TensorInfo {
  const outShape = perm.map((p) => x.shape[p]!);
  const origin = origins.get(x.dataId as object);
  const rc = backend as unknown as RefCounting;
  const sameShape = origin !== undefined && origin.shape.length === x.shape.length && origin.shape.every((d, i) => d === x.shape[i]);
  if (origin !== undefined && sameShape && undoes(origin.perm, perm) && rc.refCount(origin.source) > 0) {
    rc.incRef(origin.source);
    return { dataId: origin.source, shape: outShape, dtype: x.dtype };
  }
  // Only size-1 axes move (NCHW <-> NHWC of 1x1 maps, ResNet's last stage at 32x32 inputs): the
  // memory order is the same, so the data is shared, as a Reshape shares it.
  if (mergedPermutation(x.shape, perm).perm.length < 2) {
    rc.incRef(x.dataId);
    return { dataId: x.dataId, shape: outShape, dtype: x.dtype };
  }
  const out = transposeSimd(backend, x, perm) ?? callKernel('Transpose', backendName, backend, { x }, { perm }, original);
  if (out.dataId !== x.dataId) origins.set(out.dataId as object, { source: x.dataId, perm: perm.slice(), shape: outShape });
  return out;
}
