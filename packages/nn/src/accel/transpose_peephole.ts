// Transpose with a memory of where each result came from. @pq/nn keeps activations NCHW and
// transposes to NHWC around every tfjs convolution and pooling op, so a conv followed by a pool
// transposes NHWC -> NCHW -> NHWC, and the backward pass mirrors it. When a transpose undoes
// the one that produced its input and that input's data is still alive, the kernel hands back
// the original data (shared, reference-counted, as tfjs's own Reshape does) instead of copying;
// so does one that moves only size-1 axes, and any other transpose of a transpose's result
// starts from the first one's input where that is less work. The data itself is moved by pq's
// wasm kernels, or by the native ones (native_transpose.ts) where those have no kernel for it.
import type * as tf from '@tensorflow/tfjs-core';
import { callKernel } from './kernel_call.js';
import { transposeNative } from './native_transpose.js';
import { asBatched2d, asBatchedSwap, mergedPermutation, transposeSimd } from './transpose_simd.js';

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

/**
 * How much pq's kernels do for `perm` on `shape`, least first: nothing (data shared), copies of
 * whole rows (the innermost axis kept), 4x4-block transposes (batched 2-d, then the outer/inner
 * swap), one element at a time.
 */
function cost(shape: readonly number[], perm: readonly number[]): number {
  const m = mergedPermutation(shape, perm);
  const last = m.perm.length - 1;
  if (last < 1) return 0;
  if (m.perm[last] === last && m.dims[last]! >= 16) return 1;
  if (asBatched2d(shape, perm) !== null) return 2;
  return asBatchedSwap(shape, perm) !== null ? 3 : 4;
}

/**
 * x's source and the permutation taking it straight to the result, where x is a transpose of
 * live data and that way is cheaper: the undo of x's own transpose shares the source's data,
 * and the filter gradient's NHWC -> [C, H, W, N] of an NCHW activation is one 2-d transpose of
 * the activation, [N, C·H·W] -> [C·H·W, N], instead of a swap of [N, H·W, C].
 */
function viaSource(backend: tf.KernelBackend, x: tf.TensorInfo, perm: readonly number[]): { x: tf.TensorInfo; perm: number[] } | null {
  const origin = origins.get(x.dataId as object);
  if (origin === undefined || origin.shape.length !== x.shape.length || !origin.shape.every((d, i) => d === x.shape[i])) return null;
  if ((backend as unknown as RefCounting).refCount(origin.source) <= 0) return null;
  const shape: number[] = [];
  origin.perm.forEach((p, i) => (shape[p] = x.shape[i]!));
  const composed = perm.map((p) => origin.perm[p]!);
  return cost(shape, composed) < cost(x.shape, perm) ? { x: { dataId: origin.source, shape, dtype: x.dtype }, perm: composed } : null;
}

export function transposeWithPeephole(
  backend: tf.KernelBackend,
  backendName: string,
  input: tf.TensorInfo,
  inputPerm: number[],
  original: tf.KernelConfig | undefined,
): tf.TensorInfo {
  const outShape = inputPerm.map((p) => input.shape[p]!);
  const { x, perm } = viaSource(backend, input, inputPerm) ?? { x: input, perm: inputPerm };
  const out = transposeSimd(backend, x, perm) ?? transposeNative(backend, x, perm) ?? callKernel('Transpose', backendName, backend, { x }, { perm }, original);
  if (out.dataId !== x.dataId) origins.set(out.dataId as object, { source: x.dataId, perm: perm.slice(), shape: outShape });
  return out;
}
