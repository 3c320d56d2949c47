// Convolutions and transposed convolutions with PyTorch's layouts and options on tfjs ops.
// Activations are NC[spatial]; where pq's native kernels read that layout in place (2-d, stride 1,
// one group or depthwise: accel/channels_first.ts) they get it as it is; elsewhere tfjs convolves
// channels-last, so inputs are transposed around one unit-dilation tfjs conv: padding is explicit
// (inside the op in 1-d and 2-d, tf.pad in 3-d), dilation is a kernel with zeros inserted, groups
// are one depthwise op (groups == channels) or split/concat, and a transposed convolution is a
// convolution of the zero-upsampled input with the flipped kernel. That keeps every case
// differentiable with tfjs's registered gradients (its conv gradients refuse dilation > 1).
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';
import { checkOptions, formatShape } from '@pq/core';
import { nTuple, checkPositiveInt, spatialDimNames } from '../args.js';
import { interleaveZeros, padOrCrop, toChannelsFirstPerm, toChannelsLastPerm, withBatch } from './tensor_util.js';
import { convRunsChannelsFirst, depthwiseRunsChannelsFirst } from '../accel/channels_first.js';
import { depthwiseConv2dChannelsFirst } from '../accel/depthwise_channels_first.js';
import { fakeQuantChannelsLast } from '../accel/fake_quant_swap.js';
import { fakeQuant, type FakeQuantOptions } from '../ops/fake_quant.js';

export type IntOrTuple = number | readonly number[];

export interface ConvOptions {
  stride?: IntOrTuple;
  /** Zero padding per side, or 'valid' (none) / 'same' (output size = input size; stride 1). */
  padding?: IntOrTuple | 'valid' | 'same';
  dilation?: IntOrTuple;
  groups?: number;
}

export interface ConvTransposeOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  outputPadding?: IntOrTuple;
  groups?: number;
  dilation?: IntOrTuple;
}

// Int-or-tuple values are checked by nTuple; the kinds here catch the rest.
const CONV_KEYS = { stride: 'any', padding: 'any', dilation: 'any', groups: 'integer' } as const;
const CONV_T_KEYS = { stride: 'any', padding: 'any', outputPadding: 'any', groups: 'integer', dilation: 'any' } as const;

/** Convolution geometry normalised to one int per spatial dim. */
export interface ConvGeometry {
  stride: number[];
  padBefore: number[];
  padAfter: number[];
  dilation: number[];
  groups: number;
}

function spatialPerm(n: number, lead: number[]): number[] {
  return [...Array.from({ length: n }, (_, i) => i + 2), ...lead];
}

/**
 * The fake quantization of a convolution's weight (a quantized layer's weight quantizer where its
 * forward is one fakeQuant op): amax one value or one per output channel, so that it commutes
 * with cutting taps and inserting zeros (fake quantization keeps +0).
 */
export interface WeightFakeQuant {
  amax: tf.Tensor;
  options: FakeQuantOptions;
}

/**
 * A kernel [Co, Ci, k...] in tfjs's layout [k..., Ci, Co], fake-quantized on the way where `quant`
 * is given: in the same pass as the layout change where pq's kernels fuse them.
 */
function weightChannelsLast(w: tf.Tensor, quant: WeightFakeQuant | undefined): tf.Tensor {
  const perm = spatialPerm(w.rank - 2, [1, 0]);
  if (quant === undefined) return tf.transpose(w, perm);
  return fakeQuantChannelsLast(w, quant.amax, quant.options) ?? tf.transpose(fakeQuant(w, quant.amax, quant.options), perm);
}

/** Zero padding per spatial dim, before and after; 1-d and 2-d convolutions pass it to tfjs's op. */
interface SpatialPad {
  before: readonly number[];
  after: readonly number[];
}

const NO_PAD: SpatialPad = { before: [0, 0, 0], after: [0, 0, 0] };

/**
 * tfjs's 2-d padding for `pad` (of a 1-d or 2-d conv): padding inside the convolution costs no
 * padded copy of the input, and its input gradient comes out at the input's size (no slice of a
 * padded gradient), both of which take as long as the convolution's arithmetic on wasm.
 */
function pad2d(n: number, pad: SpatialPad): 'valid' | [[0, 0], [number, number], [number, number], [0, 0]] {
  const [t, l] = n === 1 ? [0, pad.before[0]!] : [pad.before[0]!, pad.before[1]!];
  const [b, r] = n === 1 ? [0, pad.after[0]!] : [pad.after[0]!, pad.after[1]!];
  return t === 0 && b === 0 && l === 0 && r === 0 ? 'valid' : [[0, 0], [t, b], [l, r], [0, 0]];
}

/** One unit-dilation convolution, channels last: x [N, sp..., Ci], w [k..., Ci, Co]; `pad` for n <= 2 only. */
function convCore(n: number, x: tf.Tensor, w: tf.Tensor, stride: number[], pad: SpatialPad): tf.Tensor {
  if (n === 1) {
    const y = tf.conv2d(tf.expandDims(x, 1) as tf.Tensor4D, tf.expandDims(w, 0) as tf.Tensor4D, [1, stride[0]!], pad2d(1, pad));
    return tf.squeeze(y, [1]);
  }
  if (n === 2) return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride as [number, number], pad2d(2, pad));
  return tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, stride as [number, number, number], 'valid');
}

/**
 * A depthwise convolution (one input channel per group), channels last: x [N, sp..., C], `w`
 * [k..., 1, C·m] whose output channel c·m + j reads input channel c, which is tfjs's depthwise
 * filter [kh, kw, C, m] once reshaped. One tfjs op (XNNPACK's depthwise kernel on wasm) instead
 * of C single-channel convolutions.
 */
function depthwiseConv(n: number, x: tf.Tensor, w: tf.Tensor, stride: number[], pad: SpatialPad): tf.Tensor {
  const c = x.shape[n + 1]!;
  const k = w.shape.slice(0, n);
  const shape: number[] = [...(n === 1 ? [1] : []), ...k, c, w.shape[n + 1]! / c];
  const filter = tf.reshape<tf.Rank>(w, shape) as tf.Tensor4D;
  if (n === 2) return tf.depthwiseConv2d(x as tf.Tensor4D, filter, stride as [number, number], pad2d(2, pad));
  return tf.squeeze(tf.depthwiseConv2d(tf.expandDims(x, 1) as tf.Tensor4D, filter, [1, stride[0]!], pad2d(1, pad)), [1]);
}

/** Grouped convolution, channels last: `w` [k..., Ci/groups, Co], output channels split by group. */
function groupedConv(n: number, x: tf.Tensor, w: tf.Tensor, groups: number, stride: number[], pad: SpatialPad = NO_PAD): tf.Tensor {
  if (groups === 1) return convCore(n, x, w, stride, pad);
  if (n <= 2 && groups === x.shape[n + 1]) return depthwiseConv(n, x, w, stride, pad);
  const xs = tf.split(x, groups, n + 1);
  const ws = tf.split(w, groups, n + 1);
  return tf.concat(xs.map((xg, g) => convCore(n, xg, ws[g]!, stride, pad)), n + 1);
}

function addBiasChannelsLast(y: tf.Tensor, bias: tf.Tensor | null | undefined): tf.Tensor {
  return bias === null || bias === undefined ? y : tf.add(y, bias);
}

function checkConvInput(op: string, n: number, x: tf.Tensor): boolean {
  if (x.rank !== n + 2 && x.rank !== n + 1) {
    throw new Error(
      `${op}: expected input of rank ${n + 2} [N, C, ${spatialDimNames(n)}] or ${n + 1} [C, ${spatialDimNames(n)}], got shape ${formatShape(x.shape)}`,
    );
  }
  return x.rank === n + 1;
}

function checkWeight(op: string, n: number, weight: tf.Tensor, what: string): void {
  if (weight.rank !== n + 2) {
    throw new Error(`${op}: weight must have rank ${n + 2} ${what}, got shape ${formatShape(weight.shape)}`);
  }
}

function checkBias(op: string, bias: tf.Tensor | null | undefined, channels: number): void {
  if (bias !== null && bias !== undefined && (bias.rank !== 1 || bias.shape[0] !== channels)) {
    throw new Error(`${op}: bias must have shape [${channels}], got ${formatShape(bias.shape)}`);
  }
}

/** Resolves a conv's stride/padding/dilation/groups for kernel `kernel` (spatial sizes). */
export function convGeometry(op: string, kernel: readonly number[], o: ConvOptions): ConvGeometry {
  const n = kernel.length;
  const stride = nTuple(op, 'stride', o.stride ?? 1, n, 1);
  const dilation = nTuple(op, 'dilation', o.dilation ?? 1, n, 1);
  const groups = checkPositiveInt(op, 'groups', o.groups ?? 1);
  const padding = o.padding ?? 0;
  let padBefore: number[];
  let padAfter: number[];
  if (padding === 'valid') {
    padBefore = Array<number>(n).fill(0);
    padAfter = padBefore;
  } else if (padding === 'same') {
    if (stride.some((s) => s !== 1)) throw new Error(`${op}: padding='same' is not supported for strided convolutions (stride ${JSON.stringify(o.stride)})`);
    // PyTorch puts the odd extra element at the end.
    const total = kernel.map((k, i) => dilation[i]! * (k - 1));
    padBefore = total.map((t) => Math.floor(t / 2));
    padAfter = total.map((t, i) => t - padBefore[i]!);
  } else if (typeof padding === 'string') {
    throw new Error(`${op}: padding must be an int, ${n} ints, 'valid' or 'same', got '${padding}'`);
  } else {
    padBefore = nTuple(op, 'padding', padding, n, 0);
    padAfter = padBefore;
  }
  return { stride, padBefore, padAfter, dilation, groups };
}

/**
 * The first and last kernel taps that meet the input for some output position along one spatial
 * dim (input size `size`, padding, dilated kernel size `k`, stride). Taps outside them only ever
 * multiply padding: ResNet's last stage at 32x32 inputs convolves 1x1 maps with 3x3 kernels, of
 * which the centre tap alone meets the input.
 */
function usedTaps(size: number, before: number, after: number, k: number, stride: number): [number, number] {
  const outSize = Math.floor((size + before + after - k) / stride) + 1;
  const meets = (t: number): boolean => {
    for (let o = 0; o < outSize; o++) {
      const i = o * stride - before + t;
      if (i >= 0 && i < size) return true;
    }
    return false;
  };
  let lo = 0;
  while (lo < k - 1 && !meets(lo)) lo++;
  let hi = k - 1;
  while (hi > lo && !meets(hi)) hi--;
  return [lo, hi];
}

/**
 * A PyTorch-layout kernel [Co, Ci, k...] and its padding with the taps that only meet padding cut
 * off (the same output, less arithmetic; their gradient is zero either way); as given when none.
 * Cut before the layout change to channels last, so that the transpose there and the one of its
 * gradient move only the taps kept (a 3x3 kernel's centre on 1x1 maps: a ninth of the data).
 */
function trimTaps(w: tf.Tensor, spatial: readonly number[], pad: SpatialPad, stride: readonly number[]): { w: tf.Tensor; pad: SpatialPad } {
  const k = w.shape.slice(2);
  const taps = spatial.map((size, i) => usedTaps(size, pad.before[i]!, pad.after[i]!, k[i]!, stride[i]!));
  if (taps.every(([lo, hi], i) => lo === 0 && hi === k[i]! - 1)) return { w, pad };
  const before = taps.map(([lo], i) => pad.before[i]! - lo);
  const after = taps.map(([, hi], i) => pad.after[i]! - (k[i]! - 1 - hi));
  if ([...before, ...after].some((p) => p < 0)) return { w, pad };
  const begin = [0, 0, ...taps.map(([lo]) => lo)];
  const size = [-1, -1, ...taps.map(([lo, hi]) => hi - lo + 1)];
  return { w: tf.slice(w, begin, size), pad: { before, after } };
}

/** Dilates the spatial axes (2...) of a PyTorch-layout kernel by inserting zeros. */
function dilateKernel(weight: tf.Tensor, dilation: readonly number[]): tf.Tensor {
  let w = weight;
  dilation.forEach((d, i) => {
    w = interleaveZeros(w, i + 2, d);
  });
  return w;
}

type NchwPadding = [[0, 0], [0, 0], [number, number], [number, number]];

/** tfjs's explicit padding of an NCHW 2-d convolution. */
function nchwPadding(p: SpatialPad): NchwPadding {
  return [[0, 0], [0, 0], [p.before[0]!, p.after[0]!], [p.before[1]!, p.after[1]!]];
}

function addBiasChannelsFirst(y: tf.Tensor, bias: tf.Tensor | null | undefined): tf.Tensor {
  return bias === null || bias === undefined ? y : tf.add(y, tf.reshape(bias, [bias.shape[0]!, 1, 1]));
}

/**
 * A one-group 2-d convolution of NCHW `x` kept channels first, where the native kernels read and
 * write that layout in place (convRunsChannelsFirst): no transposes to channels last and back,
 * here or in the gradients. Null elsewhere (the channels-last path then runs).
 */
function conv2dChannelsFirst(x: tf.Tensor, weight: tf.Tensor, geo: ConvGeometry, quant: WeightFakeQuant | undefined): tf.Tensor | null {
  const full = { before: geo.padBefore, after: geo.padAfter };
  const hwio = [weight.shape[2]!, weight.shape[3]!, weight.shape[1]!, weight.shape[0]!];
  if (geo.dilation.some((d) => d !== 1) || !convRunsChannelsFirst(tf.getBackend(), x.shape, hwio, geo.stride as [number, number], nchwPadding(full))) return null;
  const { w, pad } = trimTaps(weight, x.shape.slice(2), full, geo.stride);
  const wcl = weightChannelsLast(w, quant);
  return tf.conv2d(x as tf.Tensor4D, wcl as tf.Tensor4D, geo.stride as [number, number], nchwPadding(pad) as never, 'NCHW');
}

/**
 * A 2-d depthwise convolution (groups == channels, one output per channel) of NCHW `x` kept
 * channels first on the native kernels where they run it (depthwiseRunsChannelsFirst); null elsewhere.
 */
function depthwiseChannelsFirst(x: tf.Tensor, weight: tf.Tensor, geo: ConvGeometry, quant: WeightFakeQuant | undefined): tf.Tensor | null {
  const channels = x.shape[1]!;
  if (geo.groups !== channels || weight.shape[0] !== channels || geo.dilation.some((d) => d !== 1) || !depthwiseRunsChannelsFirst(tf.getBackend(), geo.stride)) return null;
  const { w, pad } = trimTaps(weight, x.shape.slice(2), { before: geo.padBefore, after: geo.padAfter }, geo.stride);
  // [C, 1, kh, kw] -> [kh, kw, 1, C] -> [kh, kw, C]
  const filter = tf.reshape(weightChannelsLast(w, quant), [w.shape[2]!, w.shape[3]!, channels]) as tf.Tensor3D;
  return depthwiseConv2dChannelsFirst(x as tf.Tensor4D, filter, geo.stride as [number, number], nchwPadding(pad));
}

/**
 * N-d convolution (PyTorch conv{n}d): x [N, Ci, sp...], weight [Co, Ci/groups, k...]; with
 * `quant`, of fakeQuant(weight, quant.amax, quant.options) (a quantized layer's weight).
 */
export function convNd(
  op: string, n: number, x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null | undefined, o: ConvOptions, quant?: WeightFakeQuant,
): tf.Tensor {
  checkOptions(op, o, CONV_KEYS);
  const unbatched = checkConvInput(op, n, x);
  checkWeight(op, n, weight, '[out, in/groups, k...]');
  const geo = convGeometry(op, weight.shape.slice(2), o);
  const channels = x.shape[unbatched ? 0 : 1]!;
  const [outChannels, inPerGroup] = weight.shape as number[];
  if (inPerGroup! * geo.groups !== channels) {
    throw new Error(
      `${op}: input has ${channels} channels (shape ${formatShape(x.shape)}) but weight ${formatShape(weight.shape)} with groups=${geo.groups} expects ${inPerGroup! * geo.groups}`,
    );
  }
  if (outChannels! % geo.groups !== 0) throw new Error(`${op}: out channels (${outChannels}) must be divisible by groups (${geo.groups})`);
  checkBias(op, bias, outChannels!);
  const attrs = { stride: geo.stride, padding: o.padding ?? 0, dilation: geo.dilation, groups: geo.groups };
  return functional(op, [x, weight, bias ?? null], attrs, () =>
    tf.tidy(() =>
      withBatch(x, unbatched, (xb) => {
        const kEff = weight.shape.slice(2).map((k, i) => geo.dilation[i]! * (k - 1) + 1);
        const spatial = xb.shape.slice(2);
        const padded = spatial.map((s, i) => s + geo.padBefore[i]! + geo.padAfter[i]!);
        if (padded.some((s, i) => s < kEff[i]!)) {
          throw new Error(
            `${op}: input spatial size ${formatShape(spatial)} (padded ${formatShape(padded)}) is smaller than the dilated kernel ${formatShape(kEff)}`,
          );
        }
        const channelsFirst = n !== 2 ? null : geo.groups === 1 ? conv2dChannelsFirst(xb, weight, geo, quant) : depthwiseChannelsFirst(xb, weight, geo, quant);
        if (channelsFirst !== null) return addBiasChannelsFirst(channelsFirst, bias);
        const spatialAxes = Array.from({ length: n }, (_, i) => i + 1);
        // 1-d and 2-d convolutions pad inside tfjs's op; tfjs's conv3d takes no explicit padding.
        const inOp = n <= 2;
        const xt = tf.transpose(xb, toChannelsLastPerm(n + 2));
        const xcl = inOp ? xt : padOrCrop(xt, spatialAxes, geo.padBefore, geo.padAfter);
        const wFull = dilateKernel(weight, geo.dilation);
        const { w: wUsed, pad } = inOp ? trimTaps(wFull, spatial, { before: geo.padBefore, after: geo.padAfter }, geo.stride) : { w: wFull, pad: NO_PAD };
        const wcl = weightChannelsLast(wUsed, quant);
        const y = addBiasChannelsLast(groupedConv(n, xcl, wcl, geo.groups, geo.stride, pad), bias);
        return tf.transpose(y, toChannelsFirstPerm(n + 2));
      }),
    ),
  );
}

/** Output spatial sizes of a transposed convolution (PyTorch's formula). */
export function convTransposeOutputSize(
  input: readonly number[],
  kernel: readonly number[],
  stride: readonly number[],
  padding: readonly number[],
  outputPadding: readonly number[],
  dilation: readonly number[],
): number[] {
  return input.map((l, i) => (l - 1) * stride[i]! - 2 * padding[i]! + dilation[i]! * (kernel[i]! - 1) + outputPadding[i]! + 1);
}

/**
 * N-d transposed convolution (PyTorch conv_transpose{n}d): x [N, Ci, sp...], weight
 * [Ci, Co/groups, k...]; output size (L-1)·s - 2p + d·(k-1) + outputPadding + 1.
 */
export function convTransposeNd(
  op: string,
  n: number,
  x: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor | null | undefined,
  o: ConvTransposeOptions,
): tf.Tensor {
  checkOptions(op, o, CONV_T_KEYS);
  const unbatched = checkConvInput(op, n, x);
  checkWeight(op, n, weight, '[in, out/groups, k...]');
  const kernel = weight.shape.slice(2);
  const stride = nTuple(op, 'stride', o.stride ?? 1, n, 1);
  const padding = nTuple(op, 'padding', o.padding ?? 0, n, 0);
  const outputPadding = nTuple(op, 'outputPadding', o.outputPadding ?? 0, n, 0);
  const dilation = nTuple(op, 'dilation', o.dilation ?? 1, n, 1);
  const groups = checkPositiveInt(op, 'groups', o.groups ?? 1);
  outputPadding.forEach((p, i) => {
    if (p >= stride[i]! && p >= dilation[i]!) {
      throw new Error(
        `${op}: outputPadding ${formatShape(outputPadding)} must be smaller than either stride ${formatShape(stride)} or dilation ${formatShape(dilation)}`,
      );
    }
  });
  const channels = x.shape[unbatched ? 0 : 1]!;
  const [inChannels, outPerGroup] = weight.shape as number[];
  if (inChannels !== channels) {
    throw new Error(`${op}: input has ${channels} channels (shape ${formatShape(x.shape)}) but weight ${formatShape(weight.shape)} expects ${inChannels}`);
  }
  if (inChannels! % groups !== 0) throw new Error(`${op}: in channels (${inChannels}) must be divisible by groups (${groups})`);
  checkBias(op, bias, outPerGroup! * groups);
  const attrs = { stride, padding, outputPadding, dilation, groups };
  return functional(op, [x, weight, bias ?? null], attrs, () =>
    tf.tidy(() =>
      withBatch(x, unbatched, (xb) => {
        const spatial = xb.shape.slice(2);
        const outSize = convTransposeOutputSize(spatial, kernel, stride, padding, outputPadding, dilation);
        if (outSize.some((s) => s <= 0)) {
          throw new Error(`${op}: output size ${formatShape(outSize)} for input ${formatShape(xb.shape)} is not positive`);
        }
        const kEff = kernel.map((k, i) => dilation[i]! * (k - 1) + 1);
        let xcl = tf.transpose(xb, toChannelsLastPerm(n + 2));
        for (let i = 0; i < n; i++) xcl = interleaveZeros(xcl, i + 1, stride[i]!);
        const spatialAxes = Array.from({ length: n }, (_, i) => i + 1);
        xcl = padOrCrop(
          xcl,
          spatialAxes,
          kEff.map((k, i) => k - 1 - padding[i]!),
          kEff.map((k, i) => k - 1 - padding[i]! + outputPadding[i]!),
        );
        // [Ci, Co/g, k...] -> flipped, dilated -> [k..., Ci/g, Co] with output channels grouped.
        const flipped = tf.reverse(dilateKernel(weight, dilation), spatialAxes.map((a) => a + 1));
        const perGroup = tf.reshape(flipped, [groups, inChannels! / groups, outPerGroup!, ...kEff]);
        const wcl = tf.reshape(tf.transpose(perGroup, [...Array.from({ length: n }, (_, i) => i + 3), 1, 0, 2]), [
          ...kEff,
          inChannels! / groups,
          outPerGroup! * groups,
        ]);
        const y = addBiasChannelsLast(groupedConv(n, xcl, wcl, groups, Array<number>(n).fill(1)), bias);
        return tf.transpose(y, toChannelsFirstPerm(n + 2));
      }),
    ),
  );
}

export const conv1d = (x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor | null, o: ConvOptions = {}): tf.Tensor =>
  convNd('conv1d', 1, x, weight, bias, o);
export const conv2d = (x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor | null, o: ConvOptions = {}): tf.Tensor =>
  convNd('conv2d', 2, x, weight, bias, o);
export const conv3d = (x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor | null, o: ConvOptions = {}): tf.Tensor =>
  convNd('conv3d', 3, x, weight, bias, o);
export const convTranspose1d = (x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor | null, o: ConvTransposeOptions = {}): tf.Tensor =>
  convTransposeNd('convTranspose1d', 1, x, weight, bias, o);
export const convTranspose2d = (x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor | null, o: ConvTransposeOptions = {}): tf.Tensor =>
  convTransposeNd('convTranspose2d', 2, x, weight, bias, o);
export const convTranspose3d = (x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor | null, o: ConvTransposeOptions = {}): tf.Tensor =>
  convTransposeNd('convTranspose3d', 3, x, weight, bias, o);
