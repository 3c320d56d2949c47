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
