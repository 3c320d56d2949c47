// Transposes by pq's WebAssembly kernels in the wasm heap: tfjs's wasm Transpose moves one element
// at a time through index arithmetic (~10-20 ns an element; a 32x64x32x32 activation took
// ~15-50 ms, more than the convolution around it). A transpose that is a batch of 2-d transposes
// once adjacent axes are merged — NCHW <-> NHWC ([N, C, H·W] <-> [N, H·W, C]) and every matrix
// transpose — goes through SIMD 4x4 shuffles; any other of rank <= 4 once merged (a conv weight
// [Co, Ci, kh, kw] <-> [kh, kw, Ci, Co]) through a plain strided copy. Elements are moved, not
// computed, so results are the stock kernel's bit for bit.
import type * as tf from '@tensorflow/tfjs-core';
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
  // Byte strides of the merged input axes, then dims and strides in output order, padded to rank 4.
  const strides = m.dims.map((_, i) => 4 * m.dims.slice(i + 1).reduce((s, d) => s * d, 1));
  const pad = 4 - m.perm.length;
  const d = [...Array<number>(pad).fill(1), ...m.perm.map((a) => m.dims[a]!)];
  const s = [...Array<number>(pad).fill(0), ...m.perm.map((a) => strides[a]!)];
  kernels.permute(to, from, d[0]!, d[1]!, d[2]!, d[3]!, s[0]!, s[1]!, s[2]!, s[3]!);
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
