// Shape ops: torch.flatten, Tensor.view / reshape / permute / transpose / expand, torch.chunk
// and torch.select.
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

/**
 * Broadcasts x to `sizes` (Tensor.expand): -1 keeps a dim, a dim of size 1 grows to any size,
 * new leading dims may be added. In an ONNX export (Expand) a dim 0 grown from 1 to the
 * sample batch follows the batch at run time, as a class token expanded to the batch does.
 */
export function expand(x: tf.Tensor, sizes: readonly number[]): tf.Tensor {
  const bad = (why: string): never => {
    throw new Error(`expand: cannot expand shape ${formatShape(x.shape)} to ${formatShape(sizes)}: ${why}`);
  };
  if (sizes.length < x.rank) bad(`${sizes.length} sizes for ${x.rank} dims`);
  const lead = sizes.length - x.rank;
  const shape = sizes.map((s, i) => {
    if (!Number.isInteger(s) || s < -1) bad(`size ${s} is not a non-negative integer or -1`);
    if (i < lead) return s === -1 ? bad(`-1 is not allowed for the new leading dim ${i}`) : s;
    const d = x.shape[i - lead]!;
    if (s === -1) return d;
    if (d !== s && d !== 1) bad(`dim ${i - lead} has size ${d}, not 1`);
    return s;
  });
  return functional('expand', [x], { shape }, () => tf.broadcastTo(x, shape));
}

/** The slice of x at `index` along `dim`, that dim removed (torch.select; x[:, 0] is select(x, 1, 0)). */
export function select(x: tf.Tensor, dim: number, index: number): tf.Tensor {
  if (x.rank === 0) throw new Error('select: a 0-dim tensor has no dim to select from');
  const d = normalizeDim('select', dim, x.rank);
  const n = x.shape[d]!;
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new Error(`select: index ${index} is out of range for dim ${dim} of size ${n} (shape ${formatShape(x.shape)})`);
  }
  const i = index < 0 ? index + n : index;
  const begin = x.shape.map((_, k) => (k === d ? i : 0));
  const size = x.shape.map((s, k) => (k === d ? 1 : s));
  const out = x.shape.filter((_, k) => k !== d);
  return functional('select', [x], { dim: d, index: i }, () => tf.tidy(() => tf.reshape(tf.slice(x, begin, size), out)));
}
