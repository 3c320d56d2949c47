// Transposes by pq's WebAssembly kernels in the wasm heap: tfjs's wasm Transpose moves one element
// at a time through index arithmetic (~10-20 ns an element; a 32x64x32x32 activation took
// ~15-50 ms, more than the convolution around it). A transpose that is a batch of 2-d transposes
// once adjacent axes are merged — NCHW <-> NHWC ([N, C, H·W] <-> [N, H·W, C]) and every matrix
// transpose — goes through SIMD 4x4 shuffles; so does one that exchanges the outer and inner of
// three merged axes (a conv weight [Co, Ci, kh, kw] <-> [kh, kw, Ci, Co], whose 9 taps are too
// short a run for the 2-d kernel), and a batch of those; any other of rank <= 4 once merged goes
// through a plain strided copy. Elements are moved, not computed, so results are the stock
// kernel's bit for bit.
import type * as tf from '@tensorflow/tfjs-core';
import { copyStrided } from './strided_copy.js';
import { heapOffset, wasmKernels } from './wasm_kernels.js';

export interface Batched2d {
  batch: number;
  rows: number;
  cols: number;
}

/** `perm` on `shape` with size-1 axes dropped and runs of adjacent axes merged: dims (input order) and perm. */
export function mergedPermutation(shape: readonly number[], perm: readonly number[]): { dims: number[]; perm: number[] } {
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
  const byInput = [...runs].sort((a, b) => a[0]! - b[0]!);
  return { dims: byInput.map((r) => r.reduce((s, a) => s * dims[a]!, 1)), perm: runs.map((r) => byInput.indexOf(r)) };
}

/**
 * `perm` on `shape` as out[b, j, i] = in[b, i, j], or null when it is no such transpose (or a
 * plain copy). Axes of size 1 are dropped first: they do not change the memory order.
 */
export function asBatched2d(shape: readonly number[], perm: readonly number[]): Batched2d | null {
  const m = mergedPermutation(shape, perm);
  if (m.perm.length === 2 && m.perm[0] === 1) return { batch: 1, rows: m.dims[0]!, cols: m.dims[1]! };
  if (m.perm.length === 3 && m.perm[0] === 0 && m.perm[1] === 2) return { batch: m.dims[0]!, rows: m.dims[1]!, cols: m.dims[2]! };
  return null;
}

export interface BatchedSwap {
  batch: number;
  a: number;
  b: number;
  c: number;
}

/**
 * `perm` on `shape` as out[n, c, b, a] = in[n, a, b, c] (merged axes; batch 1 without a leading
 * axis), or null when it is no such transpose or a or c is under 4 (the kernel's smallest block).
 */
export function asBatchedSwap(shape: readonly number[], perm: readonly number[]): BatchedSwap | null {
  const m = mergedPermutation(shape, perm);
  const p = m.perm.join();
  const [batch, a, b, c] = p === '2,1,0' ? [1, ...m.dims] : p === '0,3,2,1' ? m.dims : [];
  return batch !== undefined && a! >= 4 && c! >= 4 ? { batch, a: a!, b: b!, c: c! } : null;
}

type MakeOutput = { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo };

/** The transpose by pq's kernels, or null when they do not apply (then the caller runs tfjs's). */
export function transposeSimd(backend: tf.KernelBackend, x: tf.TensorInfo, perm: readonly number[]): tf.TensorInfo | null {
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return null;
  const m = mergedPermutation(x.shape, perm);
  if (m.perm.length < 2 || m.perm.length > 4) return null; // a copy, or rank > 4 once merged
  const kernels = wasmKernels(backend);
  if (kernels === null) return null;
  const out = (backend as unknown as MakeOutput).makeOutput(perm.map((p) => x.shape[p]!), x.dtype);
  const [to, from] = [heapOffset(backend, out), heapOffset(backend, x)];
  const plan = asBatched2d(x.shape, perm);
  if (plan !== null) {
    kernels.transpose(to, from, plan.batch, plan.rows, plan.cols);
    return out;
  }
  const swap = asBatchedSwap(x.shape, perm);
  if (swap !== null) {
    const bytes = 4 * swap.a * swap.b * swap.c;
    for (let n = 0; n < swap.batch; n++) kernels.swap(to + n * bytes, from + n * bytes, swap.a, swap.b, swap.c);
    return out;
  }
  // Byte strides of the merged input axes, taken in output order.
  const strides = m.dims.map((_, i) => 4 * m.dims.slice(i + 1).reduce((s, d) => s * d, 1));
  copyStrided(kernels, 'permute', to, from, m.perm.map((a) => m.dims[a]!), m.perm.map((a) => strides[a]!));
  return out;
}

/**
 * A conv filter [kh, kw, ci, co] rotated 180 degrees with its channels swapped, [kh, kw, co, ci]
 * (the input gradient's filter), by the same kernel tap by tap; null off wasm. One pass instead
 * of tfjs-wasm's Reverse (~150 ns an element: 0.1-0.4 s for a 3x3x512x512 filter) and a Transpose.
 */
export function flippedSwappedFilter(backend: tf.KernelBackend, filter: tf.TensorInfo): tf.TensorInfo | null {
  const kernels = filter.dtype === 'float32' ? wasmKernels(backend) : null;
  if (kernels === null) return null;
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const out = (backend as unknown as { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo }).makeOutput([kh, kw, co, ci], 'float32');
  const tapBytes = ci * co * 4;
  const to = heapOffset(backend, out);
  const from = heapOffset(backend, filter);
  const taps = kh * kw;
  for (let t = 0; t < taps; t++) kernels.transpose(to + t * tapBytes, from + (taps - 1 - t) * tapBytes, 1, ci, co);
  return out;
}
