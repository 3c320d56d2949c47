// Small tensor rearrangements the convolution and pooling paths share. Every one is built from
// tfjs ops that have registered gradients (reshape, pad, slice, transpose), so whatever uses
// them stays differentiable.
import * as tf from '@tensorflow/tfjs-core';
import { formatShape } from '@pq/core';

/** Permutation NC[spatial] -> N[spatial]C for a tensor of `rank`. */
export function toChannelsLastPerm(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

/** Permutation N[spatial]C -> NC[spatial] for a tensor of `rank`. */
export function toChannelsFirstPerm(rank: number): number[] {
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

/**
 * Pads (positive amounts) or crops (negative amounts) `x` along each axis: `before[i]` and
 * `after[i]` apply to axis `axes[i]`. Padding uses `value` (0, or -Infinity for max pooling).
 */
export function padOrCrop(x: tf.Tensor, axes: readonly number[], before: readonly number[], after: readonly number[], value = 0): tf.Tensor {
  const pads: Array<[number, number]> = x.shape.map(() => [0, 0]);
  const begin = x.shape.map(() => 0);
  const size = [...x.shape];
  let needPad = false;
  let needCrop = false;
  axes.forEach((axis, i) => {
    const b = before[i]!;
    const a = after[i]!;
    pads[axis] = [Math.max(b, 0), Math.max(a, 0)];
    needPad ||= b > 0 || a > 0;
    // Crops apply to the original extent (before padding), then the padding is added.
    begin[axis] = Math.max(-b, 0);
    size[axis] = x.shape[axis]! - Math.max(-b, 0) - Math.max(-a, 0);
    needCrop ||= b < 0 || a < 0;
  });
  let y = x;
  if (needCrop) {
    if (size.some((s) => s <= 0)) throw new Error(`padOrCrop: cropping leaves an empty tensor from shape ${formatShape(x.shape)}`);
    y = tf.slice(y, begin, size);
  }
  if (needPad) y = tf.pad(y, pads, value);
  return y;
}

/**
 * Inserts `factor - 1` zeros between neighbouring entries along `axis` (length k -> (k-1)·f+1):
 * a dilated kernel, or an input upsampled for a transposed convolution.
 */
export function interleaveZeros(x: tf.Tensor, axis: number, factor: number): tf.Tensor {
  if (factor === 1) return x;
  const shape = x.shape;
  const k = shape[axis]!;
  const expanded = tf.expandDims(x, axis + 1);
  const pads: Array<[number, number]> = expanded.shape.map(() => [0, 0]);
  pads[axis + 1] = [0, factor - 1];
  const spread = tf.reshape(tf.pad(expanded, pads), [...shape.slice(0, axis), k * factor, ...shape.slice(axis + 1)]);
  const size = [...spread.shape];
  size[axis] = (k - 1) * factor + 1;
  return tf.slice(spread, spread.shape.map(() => 0), size);
}

/** Runs `fn` on `x` with a leading batch dim added when `unbatched`, and removes it after. */
export function withBatch(x: tf.Tensor, unbatched: boolean, fn: (xb: tf.Tensor) => tf.Tensor): tf.Tensor {
  if (!unbatched) return fn(x);
  return tf.squeeze(fn(tf.expandDims(x, 0)), [0]);
}
