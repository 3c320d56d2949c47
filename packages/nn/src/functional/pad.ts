// torch.nn.functional.pad: `pad` lists (before, after) pairs starting from the LAST dim, as in
// PyTorch ([left, right] pads W; [left, right, top, bottom] pads W then H). Modes 'constant'
// (negative amounts crop), 'reflect' (mirror without the edge), 'replicate' (repeat the edge)
// and 'circular' (wrap around), all from slice/reverse/tile/concat, so gradients flow.
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';
import { formatShape } from '@pq/core';
import { padOrCrop } from './tensor_util.js';

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

function take(x: tf.Tensor, axis: number, start: number, length: number): tf.Tensor {
  const begin = x.shape.map(() => 0);
  const size = [...x.shape];
  begin[axis] = start;
  size[axis] = length;
  return tf.slice(x, begin, size);
}

function padAxis(x: tf.Tensor, axis: number, before: number, after: number, mode: Exclude<PadMode, 'constant'>): tf.Tensor {
  const len = x.shape[axis]!;
  const parts: tf.Tensor[] = [];
  const edge = (start: number, length: number): tf.Tensor => {
    if (mode === 'reflect') return tf.reverse(take(x, axis, start, length), axis);
    if (mode === 'circular') return take(x, axis, start, length);
    const reps = x.shape.map(() => 1);
    reps[axis] = length;
    return tf.tile(take(x, axis, start, 1), reps);
  };
  if (before > 0) parts.push(mode === 'reflect' ? edge(1, before) : mode === 'circular' ? edge(len - before, before) : edge(0, before));
  parts.push(x);
  if (after > 0) parts.push(mode === 'reflect' ? edge(len - 1 - after, after) : mode === 'circular' ? edge(0, after) : edge(len - 1, after));
  return parts.length === 1 ? x : tf.concat(parts, axis);
}

export function pad(x: tf.Tensor, padding: readonly number[], mode: PadMode = 'constant', value = 0): tf.Tensor {
  if (padding.length % 2 !== 0 || padding.length / 2 > x.rank || padding.some((p) => !Number.isInteger(p))) {
    throw new Error(`pad: padding must be (before, after) integer pairs for at most ${x.rank} dims, got ${formatShape(padding)}`);
  }
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) {
    throw new Error(`pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got '${String(mode)}'`);
  }
  const axes: number[] = [];
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < padding.length / 2; i++) {
    const axis = x.rank - 1 - i;
    axes.push(axis);
    before.push(padding[2 * i]!);
    after.push(padding[2 * i + 1]!);
    const len = x.shape[axis]!;
    const b = padding[2 * i]!;
    const a = padding[2 * i + 1]!;
    if (mode !== 'constant' && (b < 0 || a < 0)) throw new Error(`pad: negative padding ${formatShape(padding)} is only allowed in 'constant' mode`);
    if (mode === 'reflect' && (b >= len || a >= len)) {
      throw new Error(`pad: reflect padding ${formatShape(padding)} must be smaller than the padded dim (size ${len} of shape ${formatShape(x.shape)})`);
    }
    if (mode === 'circular' && (b > len || a > len)) {
      throw new Error(`pad: circular padding ${formatShape(padding)} must not exceed the padded dim (size ${len} of shape ${formatShape(x.shape)})`);
    }
  }
  return functional('pad', [x], { pad: [...padding], mode, value }, () =>
    tf.tidy(() => {
      if (mode === 'constant') return padOrCrop(x, axes, before, after, value);
      let y = x;
      axes.forEach((axis, i) => {
        y = padAxis(y, axis, before[i]!, after[i]!, mode);
      });
      return y === x ? tf.clone(x) : y;
    }),
  );
}
