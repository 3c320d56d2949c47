// Argument checks shared by every CpuKernels implementation: a wrong length must be an Error that
// names the argument and both sizes before any kernel runs (the native one would otherwise read or
// write past the caller's wasm-heap view).
import type { Conv2dGeometry, Pool2dGeometry } from './kernels.js';

const GEOMETRY_KEYS = [
  'batch', 'inHeight', 'inWidth', 'inChannels', 'outHeight', 'outWidth', 'outChannels',
  'filterHeight', 'filterWidth', 'strideHeight', 'strideWidth', 'padTop', 'padLeft',
] as const satisfies ReadonlyArray<keyof Conv2dGeometry>;

/** Largest element count accepted: the native kernels index with 32-bit pixel and tap counts. */
const MAX_ELEMENTS = 2 ** 31 - 1;

function checkCount(where: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_ELEMENTS) {
    throw new Error(`${where}: ${name} must be an integer >= ${min} (got ${String(value)})`);
  }
  return value;
}

function checkArray(where: string, name: string, array: unknown, expected: number, detail: string): void {
  if (!(array instanceof Float32Array)) {
    throw new Error(`${where}: ${name} must be a Float32Array (got ${array === null ? 'null' : typeof array})`);
  }
  checkLength(where, name, array, expected, detail);
}

function checkLength(where: string, name: string, array: ArrayLike<unknown>, expected: number, detail: string): void {
  if (array.length !== expected) {
    throw new Error(`${where}: ${name} has ${array.length} elements, expected ${expected} (${detail})`);
  }
  if (expected > MAX_ELEMENTS) throw new Error(`${where}: ${name} has ${expected} elements, more than ${MAX_ELEMENTS}`);
}

/** Checks matmul's arguments; the sizes are those of CpuKernels.matmul. */
export function checkMatmul(
  a: Float32Array, b: Float32Array, c: Float32Array, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean,
): void {
  const where = 'matmul';
  checkCount(where, 'batch', batch, 0);
  checkCount(where, 'm', m, 0);
  checkCount(where, 'n', n, 0);
  checkCount(where, 'k', k, 0);
  if (typeof transA !== 'boolean' || typeof transB !== 'boolean') throw new Error(`${where}: transA and transB must be booleans`);
  checkArray(where, 'a', a, batch * m * k, `batch ${batch} x ${transA ? `k ${k} x m ${m}` : `m ${m} x k ${k}`}`);
  checkArray(where, 'b', b, batch * k * n, `batch ${batch} x ${transB ? `n ${n} x k ${k}` : `k ${k} x n ${n}`}`);
  checkArray(where, 'c', c, batch * m * n, `batch ${batch} x m ${m} x n ${n}`);
}

/** Checks a geometry's fields (positive sizes and strides, non-negative padding). */
export function checkGeometry(where: string, g: Conv2dGeometry): void {
  if (g === null || typeof g !== 'object') throw new Error(`${where}: geometry must be an object`);
  for (const key of GEOMETRY_KEYS) {
    checkCount(where, `geometry.${key}`, g[key], key === 'padTop' || key === 'padLeft' ? 0 : 1);
  }
  if (g.channelsFirst !== undefined && typeof g.channelsFirst !== 'boolean') {
    throw new Error(`${where}: geometry.channelsFirst must be a boolean (got ${String(g.channelsFirst)})`);
  }
}

const size = {
  x: (g: Conv2dGeometry) => g.batch * g.inHeight * g.inWidth * g.inChannels,
  y: (g: Conv2dGeometry) => g.batch * g.outHeight * g.outWidth * g.outChannels,
  filter: (g: Conv2dGeometry) => g.filterHeight * g.filterWidth * g.inChannels * g.outChannels,
  depthwiseFilter: (g: Conv2dGeometry) => g.filterHeight * g.filterWidth * g.inChannels,
};
const detail = {
  x: (g: Conv2dGeometry) =>
    g.channelsFirst === true ? `NCHW ${g.batch}x${g.inChannels}x${g.inHeight}x${g.inWidth}` : `NHWC ${g.batch}x${g.inHeight}x${g.inWidth}x${g.inChannels}`,
  y: (g: Conv2dGeometry) =>
    g.channelsFirst === true ? `NCHW ${g.batch}x${g.outChannels}x${g.outHeight}x${g.outWidth}` : `NHWC ${g.batch}x${g.outHeight}x${g.outWidth}x${g.outChannels}`,
  filter: (g: Conv2dGeometry) => `HWIO ${g.filterHeight}x${g.filterWidth}x${g.inChannels}x${g.outChannels}`,
  depthwiseFilter: (g: Conv2dGeometry) => `HWC ${g.filterHeight}x${g.filterWidth}x${g.inChannels}`,
};
type Role = keyof typeof size;

/** Checks a convolution's geometry and its three arrays, named and shaped as `roles` says. */
export function checkConv(where: string, g: Conv2dGeometry, arrays: ReadonlyArray<readonly [string, Float32Array, Role]>, depthwise = false): void {
  checkGeometry(where, g);
  if (depthwise && g.inChannels !== g.outChannels) {
    throw new Error(`${where}: a depthwise geometry needs inChannels == outChannels (got ${g.inChannels} and ${g.outChannels})`);
  }
  for (const [name, array, role] of arrays) checkArray(where, name, array, size[role](g), detail[role](g));
}

/** The depthwise forward pass is channels first only (NHWC's is tfjs's own kernel). */
export function checkDepthwiseForward(g: Conv2dGeometry): void {
  if (g !== null && typeof g === 'object' && g.channelsFirst !== true) {
    throw new Error('depthwiseConv2d: only channels-first geometries are supported (geometry.channelsFirst: true)');
  }
}

/** Checks momentumStep's arguments: five arrays of one length, finite constants, a boolean. */
export function checkMomentumStep(
  p: Float32Array, v: Float32Array, g: Float32Array, pOut: Float32Array, vOut: Float32Array, c: number, m: number, nesterov: boolean,
): void {
  const where = 'momentumStep';
  if (!(p instanceof Float32Array)) throw new Error(`${where}: p must be a Float32Array (got ${p === null ? 'null' : typeof p})`);
  for (const [name, array] of [['v', v], ['g', g], ['pOut', pOut], ['vOut', vOut]] as const) checkArray(where, name, array, p.length, `p's length`);
  for (const [name, value] of [['c', c], ['m', m]] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${where}: ${name} must be a finite number (got ${String(value)})`);
  }
  if (typeof nesterov !== 'boolean') throw new Error(`${where}: nesterov must be a boolean (got ${String(nesterov)})`);
}

/** Checks channelSums's arguments: sizes that are counts, x of outer·channels·inner floats, sums of channels. */
export function checkChannelSums(x: Float32Array, sums: Float32Array, outer: number, channels: number, inner: number): void {
  const where = 'channelSums';
  for (const [name, v] of [['outer', outer], ['channels', channels], ['inner', inner]] as const) checkCount(where, name, v, 0);
  checkArray(where, 'x', x, outer * channels * inner, `[${outer}, ${channels}, ${inner}]`);
  checkArray(where, 'sums', sums, channels, `[${channels}]`);
}

/** Checks a batch norm's sizes, `perElement` arrays of n·c·s floats, `perChannel` of c, and eps. */
export function checkBatchNorm(
  where: string, n: number, c: number, s: number, eps: number, perElement: ReadonlyArray<[string, unknown]>, perChannel: ReadonlyArray<[string, unknown]>,
): void {
  checkCount(where, 'n', n, 0);
  checkCount(where, 'c', c, 0);
  checkCount(where, 's', s, 0);
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) throw new Error(`${where}: eps must be a finite number >= 0 (got ${String(eps)})`);
  for (const [name, a] of perElement) checkArray(where, name, a, n * c * s, `[${n}, ${c}, ${s}]`);
  for (const [name, a] of perChannel) checkArray(where, name, a, c, `[${c}] (one per channel)`);
}

/** Checks the swap kernels' sizes and arrays (fakeQuantSwap, straightThroughSwap): `arrays` of the whole tensor, `perRow` of `outer` floats. */
export function checkSwap(
  where: string, outer: number, middle: number, inner: number, arrays: ReadonlyArray<[string, unknown]>, perRow: ReadonlyArray<[string, unknown]>,
): void {
  for (const [name, v] of [['outer', outer], ['middle', middle], ['inner', inner]] as const) checkCount(where, name, v, 0);
  for (const [name, a] of arrays) checkArray(where, name, a, outer * middle * inner, `[${outer}, ${middle}, ${inner}]`);
  for (const [name, a] of perRow) checkArray(where, name, a, outer, `[${outer}] (one per outer index)`);
}

/** Checks fakeQuantSwap's arguments: the sizes, the arrays, finite bounds lo <= hi. */
export function checkFakeQuantSwap(x: Float32Array, y: Float32Array, outer: number, middle: number, inner: number, scale: Float32Array, divisor: Float32Array, lo: number, hi: number): void {
  const where = 'fakeQuantSwap';
  checkSwap(where, outer, middle, inner, [['x', x], ['y', y]], [['scale', scale], ['divisor', divisor]]);
  for (const [name, v] of [['lo', lo], ['hi', hi]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: ${name} must be a finite number (got ${String(v)})`);
  }
  if (!(lo <= hi)) throw new Error(`${where}: lo (${lo}) must not exceed hi (${hi})`);
}

/** Checks channelAffine's arguments: counts, x and y of outer·channels·inner floats, scale and shift of channels. */
export function checkChannelAffine(x: Float32Array, scale: Float32Array, shift: Float32Array, y: Float32Array, outer: number, channels: number, inner: number): void {
  const where = 'channelAffine';
  for (const [name, v] of [['outer', outer], ['channels', channels], ['inner', inner]] as const) checkCount(where, name, v, 0);
  for (const [name, a] of [['x', x], ['y', y]] as const) checkArray(where, name, a, outer * channels * inner, `[${outer}, ${channels}, ${inner}]`);
  for (const [name, a] of [['scale', scale], ['shift', shift]] as const) checkArray(where, name, a, channels, `[${channels}]`);
}

/** Most axes CpuKernels.transpose takes. */
export const TRANSPOSE_MAX_RANK = 6;

function describeList(v: unknown): string {
  return Array.isArray(v) ? `[${v.map(String).join(', ')}]` : String(v);
}

/** Checks transpose's arguments; returns the element count. */
export function checkTranspose(x: unknown, y: unknown, shape: readonly number[], perm: readonly number[]): number {
  const where = 'transpose';
  if (!Array.isArray(shape) || shape.length > TRANSPOSE_MAX_RANK) {
    throw new Error(`${where}: shape must be an array of at most ${TRANSPOSE_MAX_RANK} sizes (got ${describeList(shape)})`);
  }
  let total = 1;
  shape.forEach((d, i) => (total *= checkCount(where, `shape[${i}]`, d, 0)));
  const rank = shape.length;
  if (!Array.isArray(perm) || perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new Error(`${where}: perm ${describeList(perm)} is not a permutation of 0..${rank - 1} (shape [${shape.join(', ')}])`);
  }
  for (const [name, array] of [['x', x], ['y', y]] as const) {
    if (!(array instanceof Float32Array || array instanceof Int32Array)) {
      throw new Error(`${where}: ${name} must be a Float32Array or an Int32Array (got ${array === null ? 'null' : typeof array})`);
    }
  }
  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) throw new Error(`${where}: x and y must be arrays of the same type (both Float32Array or both Int32Array)`);
  const detail = `shape [${shape.join(', ')}], perm [${perm.join(', ')}]`;
  checkLength(where, 'x', x as Float32Array, total, detail);
  checkLength(where, 'y', y as Float32Array, total, detail);
  return total;
}

const POOL_KEYS = [
  'batch', 'inHeight', 'inWidth', 'channels', 'outHeight', 'outWidth',
  'filterHeight', 'filterWidth', 'strideHeight', 'strideWidth', 'padTop', 'padLeft',
] as const satisfies ReadonlyArray<keyof Pool2dGeometry>;

/** Checks a pooling gradient's geometry (positive sizes, windows and strides, non-negative padding) and its arrays x (null: none), dy and dx. */
export function checkPool(where: string, g: Pool2dGeometry, x: Float32Array | null, dy: Float32Array, dx: Float32Array): void {
  if (g === null || typeof g !== 'object') throw new Error(`${where}: geometry must be an object`);
  for (const key of POOL_KEYS) checkCount(where, `geometry.${key}`, g[key], key === 'padTop' || key === 'padLeft' ? 0 : 1);
  const input = `NHWC ${g.batch}x${g.inHeight}x${g.inWidth}x${g.channels}`;
  if (x !== null) checkArray(where, 'x', x, g.batch * g.inHeight * g.inWidth * g.channels, input);
  checkArray(where, 'dy', dy, g.batch * g.outHeight * g.outWidth * g.channels, `NHWC ${g.batch}x${g.outHeight}x${g.outWidth}x${g.channels}`);
  checkArray(where, 'dx', dx, g.batch * g.inHeight * g.inWidth * g.channels, input);
}
