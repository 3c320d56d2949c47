// Max, average and adaptive average pooling with PyTorch's options and output sizes, on tfjs's
// valid-padded channels-last pools: padding (and ceil mode's overhang) is explicit, -Infinity
// for max and zeros for average, with PyTorch's divisor applied as a constant factor.
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';
import { checkOptions, formatShape, shapeSize } from '@pq/core';
import { nTuple, spatialDimNames } from '../args.js';
import { padOrCrop, toChannelsFirstPerm, toChannelsLastPerm, withBatch } from './tensor_util.js';
import type { IntOrTuple } from './conv.js';

export interface MaxPoolOptions {
  /** Default: the kernel size. */
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  ceilMode?: boolean;
}

export interface AvgPoolOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  ceilMode?: boolean;
  /** Count the zero padding in the divisor (PyTorch default true). */
  countIncludePad?: boolean;
  /** Divide every window by this instead. */
  divisorOverride?: number | null;
}

// Int-or-tuple values are checked by nTuple; the kinds here catch the rest.
const MAX_KEYS = { stride: 'any', padding: 'any', dilation: 'any', ceilMode: 'boolean' } as const;
const AVG_KEYS = { stride: 'any', padding: 'any', ceilMode: 'boolean', countIncludePad: 'boolean', divisorOverride: 'any' } as const;

export interface PoolGeometry {
  kernel: number[];
  stride: number[];
  padding: number[];
  ceilMode: boolean;
}

/** PyTorch's pooling output size (pooling_output_shape), including ceil mode's last-window rule. */
export function poolOutputSize(input: number, kernel: number, stride: number, pad: number, dilation: number, ceilMode: boolean): number {
  const span = input + 2 * pad - dilation * (kernel - 1) - 1;
  let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // With ceil mode the last window must start inside the input or the left padding.
  if (ceilMode && (out - 1) * stride >= input + pad) out -= 1;
  return out;
}

function poolGeometry(op: string, n: number, kernelSize: IntOrTuple, o: { stride?: IntOrTuple | null; padding?: IntOrTuple; ceilMode?: boolean }): PoolGeometry {
  const kernel = nTuple(op, 'kernelSize', kernelSize, n, 1);
  const stride = o.stride === undefined || o.stride === null ? kernel : nTuple(op, 'stride', o.stride, n, 1);
  const padding = nTuple(op, 'padding', o.padding ?? 0, n, 0);
  padding.forEach((p, i) => {
    if (p > kernel[i]! / 2) {
      throw new Error(`${op}: padding ${formatShape(padding)} should be at most half of the kernel size ${formatShape(kernel)}`);
    }
  });
  return { kernel, stride, padding, ceilMode: o.ceilMode ?? false };
}

function checkPoolInput(op: string, n: number, x: tf.Tensor): boolean {
  if (x.rank !== n + 2 && x.rank !== n + 1) {
    throw new Error(`${op}: expected input of rank ${n + 2} [N, C, ${spatialDimNames(n)}] or ${n + 1} [C, ${spatialDimNames(n)}], got shape ${formatShape(x.shape)}`);
  }
  return x.rank === n + 1;
}

/** Output sizes, and the right padding that makes the last window fit (may be negative: crop). */
function poolPlan(op: string, geo: PoolGeometry, spatial: readonly number[], dilation?: readonly number[]): { out: number[]; padAfter: number[] } {
  const d = dilation ?? geo.kernel.map(() => 1);
  const out = spatial.map((s, i) => poolOutputSize(s, geo.kernel[i]!, geo.stride[i]!, geo.padding[i]!, d[i]!, geo.ceilMode));
  if (out.some((s) => s <= 0)) {
    throw new Error(`${op}: input spatial size ${formatShape(spatial)} is too small for kernel ${formatShape(geo.kernel)} (output ${formatShape(out)})`);
  }
  const padAfter = spatial.map((s, i) => (out[i]! - 1) * geo.stride[i]! + d[i]! * (geo.kernel[i]! - 1) + 1 - s - geo.padding[i]!);
  return { out, padAfter };
}

/**
 * Every `stride`-th entry along `axis`, starting at `start`, `count` of them: pad to a whole
 * number of strides, fold the stride into its own axis and keep index 0 (all differentiable).
 */
function stridedTake(x: tf.Tensor, axis: number, start: number, count: number, stride: number): tf.Tensor {
  const begin = x.shape.map(() => 0);
  const size = [...x.shape];
  begin[axis] = start;
  size[axis] = Math.min((count - 1) * stride + 1, x.shape[axis]! - start);
  let y = tf.slice(x, begin, size);
  if (stride === 1) return y;
  const pads: Array<[number, number]> = y.shape.map(() => [0, 0]);
  pads[axis] = [0, count * stride - size[axis]!];
  y = tf.pad(y, pads);
  const folded = tf.reshape(y, [...y.shape.slice(0, axis), count, stride, ...y.shape.slice(axis + 1)]);
  const keep = [...folded.shape];
  keep[axis + 1] = 1;
  return tf.reshape(tf.slice(folded, folded.shape.map(() => 0), keep), [...y.shape.slice(0, axis), count, ...y.shape.slice(axis + 1)]);
}

/** Dilated max pooling, channels last: the max over the kernel's offsets of strided views. */
function dilatedMaxPool(x: tf.Tensor, n: number, kernel: number[], stride: number[], dilation: number[], out: number[]): tf.Tensor {
  const views: tf.Tensor[] = [];
  const offsets = kernel.reduce<number[][]>((acc, k) => acc.flatMap((o) => Array.from({ length: k }, (_, j) => [...o, j])), [[]]);
  for (const offset of offsets) {
    let v = x;
    for (let i = 0; i < n; i++) v = stridedTake(v, i + 1, offset[i]! * dilation[i]!, out[i]!, stride[i]!);
    views.push(v);
  }
  return tf.max(tf.stack(views, n + 2), n + 2);
}

/** One valid tfjs pool, channels last, for 1-3 spatial dims. */
function poolCore(kind: 'max' | 'avg', n: number, x: tf.Tensor, kernel: number[], stride: number[]): tf.Tensor {
  if (n === 1) {
    const x4 = tf.expandDims(x, 1) as tf.Tensor4D;
    const k: [number, number] = [1, kernel[0]!];
    const s: [number, number] = [1, stride[0]!];
    return tf.squeeze(kind === 'max' ? tf.maxPool(x4, k, s, 'valid') : tf.avgPool(x4, k, s, 'valid'), [1]);
  }
  if (n === 2) {
    const k = kernel as [number, number];
    const s = stride as [number, number];
    return kind === 'max' ? tf.maxPool(x as tf.Tensor4D, k, s, 'valid') : tf.avgPool(x as tf.Tensor4D, k, s, 'valid');
  }
  const k = kernel as [number, number, number];
  const s = stride as [number, number, number];
  return kind === 'max' ? tf.maxPool3d(x as tf.Tensor5D, k, s, 'valid') : tf.avgPool3d(x as tf.Tensor5D, k, s, 'valid');
}

/** Max pooling over the last n dims of x [N, C, sp...] (or unbatched [C, sp...]). */
export function maxPoolNd(op: string, n: number, x: tf.Tensor, kernelSize: IntOrTuple, o: MaxPoolOptions = {}): tf.Tensor {
  checkOptions(op, o, MAX_KEYS);
  const unbatched = checkPoolInput(op, n, x);
  const geo = poolGeometry(op, n, kernelSize, o);
  const dilation = nTuple(op, 'dilation', o.dilation ?? 1, n, 1);
  const attrs = { kernelSize: geo.kernel, stride: geo.stride, padding: geo.padding, dilation, ceilMode: geo.ceilMode };
  return functional(op, [x], attrs, () =>
    tf.tidy(() =>
      withBatch(x, unbatched, (xb) => {
        const { out, padAfter } = poolPlan(op, geo, xb.shape.slice(2), dilation);
        const axes = Array.from({ length: n }, (_, i) => i + 1);
        const xcl = padOrCrop(tf.transpose(xb, toChannelsLastPerm(n + 2)), axes, geo.padding, padAfter, -Infinity);
        // tfjs pools have no dilation (and no gradient for it): dilated windows take their own path.
        const y = dilation.every((d) => d === 1) ? poolCore('max', n, xcl, geo.kernel, geo.stride) : dilatedMaxPool(xcl, n, geo.kernel, geo.stride, dilation, out);
        return tf.transpose(y, toChannelsFirstPerm(n + 2));
      }),
    ),
  );
}

/** PyTorch's divisor of each window along one axis (the product over axes is the divisor). */
function windowCounts(size: number, out: number, kernel: number, stride: number, pad: number, includePad: boolean): number[] {
  const counts: number[] = [];
  for (let i = 0; i < out; i++) {
    let start = i * stride - pad;
    let end = Math.min(start + kernel, size + pad);
    if (!includePad) {
      start = Math.max(start, 0);
      end = Math.min(end, size);
    }
    counts.push(end - start);
  }
  return counts;
}

/** Average pooling over the last n dims with PyTorch's divisor rules. */
export function avgPoolNd(op: string, n: number, x: tf.Tensor, kernelSize: IntOrTuple, o: AvgPoolOptions = {}): tf.Tensor {
  checkOptions(op, o, AVG_KEYS);
  const unbatched = checkPoolInput(op, n, x);
  const geo = poolGeometry(op, n, kernelSize, o);
  const includePad = o.countIncludePad ?? true;
  const divisorOverride = o.divisorOverride ?? null;
  if (divisorOverride !== null && (!Number.isFinite(divisorOverride) || divisorOverride === 0)) {
    throw new Error(`${op}: divisorOverride must be a non-zero number, got ${divisorOverride}`);
  }
  const attrs = { kernelSize: geo.kernel, stride: geo.stride, padding: geo.padding, ceilMode: geo.ceilMode, countIncludePad: includePad, divisorOverride };
  return functional(op, [x], attrs, () =>
    tf.tidy(() =>
      withBatch(x, unbatched, (xb) => {
        const spatial = xb.shape.slice(2);
        const { out, padAfter } = poolPlan(op, geo, spatial);
        const axes = Array.from({ length: n }, (_, i) => i + 1);
        const xcl = padOrCrop(tf.transpose(xb, toChannelsLastPerm(n + 2)), axes, geo.padding, padAfter, 0);
        let y = poolCore('avg', n, xcl, geo.kernel, geo.stride);
        // tfjs divides by the kernel area; rescale where PyTorch's divisor differs.
        const area = shapeSize(geo.kernel);
        const perAxis = spatial.map((s, i) => windowCounts(s, out[i]!, geo.kernel[i]!, geo.stride[i]!, geo.padding[i]!, includePad));
        const factor = new Float32Array(shapeSize(out));
        let uniform = true;
        factor.forEach((_, flat) => {
          let rem = flat;
          let divisor = 1;
          for (let i = n - 1; i >= 0; i--) {
            divisor *= perAxis[i]![rem % out[i]!]!;
            rem = Math.floor(rem / out[i]!);
          }
          factor[flat] = area / (divisorOverride ?? divisor);
          uniform &&= factor[flat] === 1;
        });
        if (!uniform) y = tf.mul(y, tf.tensor(factor, [...out, 1], 'float32'));
        return tf.transpose(y, toChannelsFirstPerm(n + 2));
      }),
    ),
  );
}

/** The averaging matrix [in, out] of one axis: window i is floor(i·in/out) .. ceil((i+1)·in/out). */
function adaptiveMatrix(size: number, out: number): tf.Tensor2D {
  const m = new Float32Array(size * out);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out);
    const end = Math.ceil(((i + 1) * size) / out);
    for (let j = start; j < end; j++) m[j * out + i] = 1 / (end - start);
  }
  return tf.tensor2d(m, [size, out]);
}

/**
 * Adaptive average pooling to `outputSize` (an int, or per dim; null keeps that dim). Windows
 * are separable, so each axis is averaged with one small matrix product.
 */
export function adaptiveAvgPoolNd(op: string, n: number, x: tf.Tensor, outputSize: number | ReadonlyArray<number | null>): tf.Tensor {
  const unbatched = checkPoolInput(op, n, x);
  const spatial = x.shape.slice(x.rank - n);
  const requested = typeof outputSize === 'number' ? Array<number | null>(n).fill(outputSize) : [...outputSize];
  if (requested.length !== n) throw new Error(`${op}: outputSize must be an int or ${n} values, got ${JSON.stringify(outputSize)}`);
  const out = requested.map((s, i) => (s === null ? spatial[i]! : s));
  out.forEach((s) => {
    if (!Number.isInteger(s) || s <= 0) throw new Error(`${op}: outputSize must be positive integers, got ${JSON.stringify(outputSize)}`);
  });
  return functional(op, [x], { outputSize: out }, () =>
    tf.tidy(() =>
      withBatch(x, unbatched, (xb) => {
        let y = xb;
        for (let i = 0; i < n; i++) {
          const axis = i + 2;
          if (spatial[i] === out[i]) continue;
          // Move `axis` last, contract it with the averaging matrix, move it back.
          const perm = [...Array.from({ length: n + 2 }, (_, a) => a).filter((a) => a !== axis), axis];
          const moved = tf.transpose(y, perm);
          const lead = moved.shape.slice(0, -1);
          const pooled = tf.reshape(tf.matMul(tf.reshape(moved, [-1, spatial[i]!]), adaptiveMatrix(spatial[i]!, out[i]!)), [...lead, out[i]!]);
          const inverse = perm.map((_, a) => perm.indexOf(a));
          y = tf.transpose(pooled, inverse);
        }
        return y === xb ? tf.clone(xb) : y;
      }),
    ),
  );
}

export const maxPool1d = (x: tf.Tensor, kernelSize: IntOrTuple, o?: MaxPoolOptions): tf.Tensor => maxPoolNd('maxPool1d', 1, x, kernelSize, o);
export const maxPool2d = (x: tf.Tensor, kernelSize: IntOrTuple, o?: MaxPoolOptions): tf.Tensor => maxPoolNd('maxPool2d', 2, x, kernelSize, o);
export const maxPool3d = (x: tf.Tensor, kernelSize: IntOrTuple, o?: MaxPoolOptions): tf.Tensor => maxPoolNd('maxPool3d', 3, x, kernelSize, o);
export const avgPool1d = (x: tf.Tensor, kernelSize: IntOrTuple, o?: AvgPoolOptions): tf.Tensor => avgPoolNd('avgPool1d', 1, x, kernelSize, o);
export const avgPool2d = (x: tf.Tensor, kernelSize: IntOrTuple, o?: AvgPoolOptions): tf.Tensor => avgPoolNd('avgPool2d', 2, x, kernelSize, o);
export const avgPool3d = (x: tf.Tensor, kernelSize: IntOrTuple, o?: AvgPoolOptions): tf.Tensor => avgPoolNd('avgPool3d', 3, x, kernelSize, o);
export const adaptiveAvgPool1d = (x: tf.Tensor, outputSize: number | ReadonlyArray<number | null>): tf.Tensor =>
  adaptiveAvgPoolNd('adaptiveAvgPool1d', 1, x, outputSize);
export const adaptiveAvgPool2d = (x: tf.Tensor, outputSize: number | ReadonlyArray<number | null>): tf.Tensor =>
  adaptiveAvgPoolNd('adaptiveAvgPool2d', 2, x, outputSize);
export const adaptiveAvgPool3d = (x: tf.Tensor, outputSize: number | ReadonlyArray<number | null>): tf.Tensor =>
  adaptiveAvgPoolNd('adaptiveAvgPool3d', 3, x, outputSize);
