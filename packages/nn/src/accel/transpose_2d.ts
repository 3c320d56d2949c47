// Transposes that are a batch of 2-d transposes once adjacent axes are merged — NCHW <-> NHWC
// ([N, C, H·W] <-> [N, H·W, C]) and every matrix transpose — by pq's SIMD kernel in the wasm
// heap: tfjs's wasm Transpose moves one element at a time through index arithmetic (~20 ns an
// element; a 32x64x32x32 activation took ~15-50 ms, more than the convolution around it).
// Elements are moved, not computed, so the result is the stock kernel's bit for bit.
import type * as tf from '@tensorflow/tfjs-core';
import { heapOffset, wasmKernels } from './wasm_kernels.js';

export interface Batched2d {
  batch: number;
  rows: number;
  cols: number;
}

/**
 * `perm` on `shape` as out[b, j, i] = in[b, i, j], or null when it is no such transpose (or a
 * plain copy). Axes of size 1 are dropped first: they do not change the memory order.
 */
export function asBatched2d(shape: readonly number[], perm: readonly number[]): Batched2d | null {
  const kept = perm.filter((p) => shape[p]! !== 1);
  const rank = [...kept].sort((a, b) => a - b);
  const p = kept.map((a) => rank.indexOf(a));
  const dims = rank.map((a) => shape[a]!);
  // Runs of output axes that are consecutive input axes move together: merge each into one axis.
  const runs: number[][] = [];
  for (const a of p) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[last.length - 1]! + 1 === a) last.push(a);
    else runs.push([a]);
  }
  const size = (axes: number[]): number => axes.reduce((s, a) => s * dims[a]!, 1);
  const byInput = [...runs].sort((a, b) => a[0]! - b[0]!);
  const order = runs.map((r) => byInput.indexOf(r));
  if (order.length === 2 && order[0] === 1) return { batch: 1, rows: size(byInput[0]!), cols: size(byInput[1]!) };
  if (order.length === 3 && order[0] === 0 && order[1] === 2) return { batch: size(byInput[0]!), rows: size(byInput[1]!), cols: size(byInput[2]!) };
  return null;
}

/** The transpose by pq's kernel, or null when it does not apply (then the caller runs tfjs's). */
export function transposeBatched2d(backend: tf.KernelBackend, x: tf.TensorInfo, perm: readonly number[]): tf.TensorInfo | null {
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return null;
  const plan = asBatched2d(x.shape, perm);
  const kernels = plan === null ? null : wasmKernels(backend);
  if (plan === null || kernels === null) return null;
  const out = (backend as unknown as { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo }).makeOutput(perm.map((p) => x.shape[p]!), x.dtype);
  kernels.transpose(heapOffset(backend, out), heapOffset(backend, x), plan.batch, plan.rows, plan.cols);
  return out;
}
