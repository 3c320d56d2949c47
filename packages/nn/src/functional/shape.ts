// Shape ops: torch.flatten and Tensor.view.
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';
import { formatShape, shapeSize } from '@pq/core';
import { normalizeDim } from './activation.js';

/** Merges dims startDim..endDim into one (torch.flatten; defaults 0 and -1). */
export function flatten(x: tf.Tensor, startDim = 0, endDim = -1): tf.Tensor {
  if (x.rank === 0) return functional('flatten', [x], { startDim, endDim }, () => tf.reshape(x, [1]));
  const s = normalizeDim('flatten', startDim, x.rank);
  const e = normalizeDim('flatten', endDim, x.rank);
  if (s > e) throw new Error(`flatten: startDim (${startDim}) must not come after endDim (${endDim}) for shape ${formatShape(x.shape)}`);
  const merged = shapeSize(x.shape.slice(s, e + 1));
  const shape = [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)];
  return functional('flatten', [x], { startDim: s, endDim: e }, () => tf.reshape(x, shape));
}

/** Reshapes to `shape` (one entry may be -1), like Tensor.view. */
export function view(x: tf.Tensor, ...shape: number[] | [readonly number[]]): tf.Tensor {
  const dims = (Array.isArray(shape[0]) ? shape[0] : shape) as number[];
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const wild = dims.filter((d) => d === -1).length;
  if (wild > 1 || dims.some((d) => !Number.isInteger(d) || d < -1) || (wild === 0 ? known !== x.size : known === 0 || x.size % known !== 0)) {
    throw new Error(`view: shape ${formatShape(dims)} is invalid for input of shape ${formatShape(x.shape)} (${x.size} elements)`);
  }
  const resolved = dims.map((d) => (d === -1 ? x.size / known : d));
  return functional('view', [x], { shape: resolved }, () => tf.reshape(x, resolved));
}

/**
 * Reshapes to `shape` (one entry may be -1), like torch.reshape. An ONNX export keeps the -1,
 * so a dim left to inference (e.g. the batch) stays free in the graph.
 */
export function reshape(x: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const dims = [...shape];
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const wild = dims.filter((d) => d === -1).length;
  if (wild > 1 || dims.some((d) => !Number.isInteger(d) || d < -1) || (wild === 0 ? known !== x.size : known === 0 || x.size % known !== 0)) {
    throw new Error(`reshape: shape ${formatShape(dims)} is invalid for input of shape ${formatShape(x.shape)} (${x.size} elements)`);
  }
  const resolved = dims.map((d) => (d === -1 ? x.size / known : d));
  return functional('reshape', [x], { shape: resolved, requested: dims }, () => tf.reshape(x, resolved));
}

/** Reorders the dims (torch.permute): output dim i is input dim `dims[i]`. */
export function permute(x: tf.Tensor, dims: readonly number[]): tf.Tensor {
  if (dims.length !== x.rank) {
    throw new Error(`permute: number of dims don't match: input of shape ${formatShape(x.shape)} has ${x.rank}, dims ${formatShape(dims)} has ${dims.length}`);
  }
  const perm = dims.map((d) => normalizeDim('permute', d, x.rank));
  if (new Set(perm).size !== perm.length) throw new Error(`permute: dims ${formatShape(dims)} repeat a dim`);
  return functional('permute', [x], { perm }, () => tf.transpose(x, perm));
}

/** Swaps two dims (torch.transpose). */
export function transpose(x: tf.Tensor, dim0: number, dim1: number): tf.Tensor {
  const a = normalizeDim('transpose', dim0, x.rank);
  const b = normalizeDim('transpose', dim1, x.rank);
  const perm = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return functional('permute', [x], { perm }, () => (x.rank === 0 ? tf.clone(x) : tf.transpose(x, perm)));
}

/**
 * Splits x into `chunks` pieces along `dim` (torch.chunk): each `ceil(size / chunks)` long, the
 * last one shorter, fewer pieces when the size does not need them all.
 */
export function chunk(x: tf.Tensor, chunks: number, dim = 0): tf.Tensor[] {
  if (!Number.isInteger(chunks) || chunks < 1) throw new Error(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim('chunk', dim, x.rank);
  const n = x.shape[d]!;
  const step = Math.ceil(n / chunks);
  const sizes: number[] = [];
  for (let s = 0; s < n; s += step) sizes.push(Math.min(step, n - s));
  if (sizes.length === 0) sizes.push(0);
  return functional('split', [x], { sizes, dim: d }, () => (sizes.length === 1 ? [tf.clone(x)] : tf.split(x, sizes, d)));
}
