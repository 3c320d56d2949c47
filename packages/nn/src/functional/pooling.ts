// Max, average and adaptive average pooling with PyTorch's options and output sizes, on tfjs's
// valid-padded channels-last pools: padding (and ceil mode's overhang) is explicit, -Infinity
// for max and zeros for average, with PyTorch's divisor applied as a constant factor.
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';
import { checkOptions, nTuple, shapeStr } from '../layers/options.js';
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

const MAX_KEYS = ['stride', 'padding', 'dilation', 'ceilMode'] as const;
const AVG_KEYS = ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'] as const;
const SPATIAL = ['L', 'H, W', 'D, H, W'];

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
      throw new Error(`${op}: padding ${shapeStr(padding)} should be at most half of the kernel size ${shapeStr(kernel)}`);
    }
  });
  return { kernel, stride, padding, ceilMode: o.ceilMode ?? false };
}

function checkPoolInput(op: string, n: number, x: tf.Tensor): boolean {
  if (x.rank !== n + 2 && x.rank !== n + 1) {
    throw new Error(`${op}: expected input of rank ${n + 2} [N, C, ${SPATIAL[n - 1]}] or ${n + 1} [C, ${SPATIAL[n - 1]}], got shape ${shapeStr(x.shape)}`);
  }
  return x.rank === n + 1;
}

/** Output sizes, and the right padding that makes the last window fit (may be negative: crop). */
function poolPlan(op: string, geo: PoolGeometry, spatial: readonly number[]): { out: number[]; padAfter: number[] } {
  const out = spatial.map((s, i) => poolOutputSize(s, geo.kernel[i]!, geo.stride[i]!, geo.padding[i]!, 1, geo.ceilMode));
  if (out.some((s) => s <= 0)) {
    throw new Error(`${op}: input spatial size ${shapeStr(spatial)} is too small for kernel ${shapeStr(geo.kernel)} (output ${shapeStr(out)})`);
  }
  const padAfter = spatial.map((s, i) => (out[i]! - 1) * geo.stride[i]! + geo.kernel[i]! - s - geo.padding[i]!);
  return { out, padAfter };
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
  if (dilation.some((d) => d !== 1)) throw new Error(`${op}: dilation ${shapeStr(dilation)} > 1 is not supported`);
  const attrs = { kernelSize: geo.kernel, stride: geo.stride, padding: geo.padding, dilation, ceilMode: geo.ceilMode };
  return functional(op, [x], attrs, () =>
    tf.tidy(() =>
      withBatch(x, unbatched, (xb) => {
        const { padAfter } = poolPlan(op, geo, xb.shape.slice(2));
        const axes = Array.from({ length: n }, (_, i) => i + 1);
        const xcl = padOrCrop(tf.transpose(xb, toChannelsLastPerm(n + 2)), axes, geo.padding, padAfter, -Infinity);
        return tf.transpose(poolCore('max', n, xcl, geo.kernel, geo.stride), toChannelsFirstPerm(n + 2));
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
        const area = geo.kernel.reduce((a, b) => a * b, 1);
        const perAxis = spatial.map((s, i) => windowCounts(s, out[i]!, geo.kernel[i]!, geo.stride[i]!, geo.padding[i]!, includePad));
        const factor = new Float32Array(out.reduce((a, b) => a * b, 1));
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
