// The channels-first (NCHW) convolution kernels against the NHWC ones: where they read the
// activations in place (stride 1, rows of at least 12), the forward pass and the filter gradient
// keep the NHWC kernels' taps, blocks and FMA chains, so their bits are those of the NHWC results
// transposed; the input gradient, a convolution of dy with the turned filter, sums in another
// order and is held to the float64 reference's bound. Elsewhere all three are the NHWC kernels
// between transposes: the same bits. Every result is the same on 1 and 3 threads.
import { describe, expect, it } from 'vitest';
import { channelsFirstDirect, loadNativeKernels, referenceKernels, type Conv2dGeometry, type CpuKernels } from '../src/index.js';
import { conv2dBackpropInputExact, transposeInto } from '../src/reference.js';
import { convGeometry, expectWithinBound, randomFloats } from './helpers.js';

const one = loadNativeKernels({ threads: 1 });
const three = loadNativeKernels({ threads: 3 });
const native = one && three ? { one, three } : null;

const CASES: ReadonlyArray<readonly [string, Conv2dGeometry]> = [
  ['3x3 pad 1, 14 wide', convGeometry([2, 5, 14, 8], [3, 3, 7], [1, 1], [1, 1, 1, 1])],
  ['3x3 pad 1, 33 wide (a whole tile and one column)', convGeometry([1, 4, 33, 5], [3, 3, 13], [1, 1], [1, 1, 1, 1])],
  ['3x3 pad 1, 40 channels (two reduction blocks)', convGeometry([2, 3, 16, 40], [3, 3, 9], [1, 1], [1, 1, 1, 1])],
  ['5x5 valid', convGeometry([1, 7, 16, 3], [5, 5, 6], [1, 1], [0, 0, 0, 0])],
  ['3x3 pad 3 (wider than the kernel)', convGeometry([1, 3, 12, 2], [3, 3, 5], [1, 1], [3, 3, 3, 3])],
  ['3x2 asymmetric padding', convGeometry([2, 6, 13, 4], [3, 2, 6], [1, 1], [0, 1, 1, 0])],
  ['1x1', convGeometry([2, 3, 16, 7], [1, 1, 11], [1, 1], [0, 0, 0, 0])],
  // Not direct: transposed around the NHWC kernels.
  ['3x3 stride 2', convGeometry([2, 9, 16, 6], [3, 3, 5], [2, 2], [1, 1, 1, 1])],
  ['3x3 pad 1, 8 wide', convGeometry([2, 5, 8, 4], [3, 3, 6], [1, 1], [1, 1, 1, 1])],
];

function toNhwc(a: Float32Array, [b, c, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(a.length);
  transposeInto(a, out, [b, c, h, w], [0, 2, 3, 1]);
  return out;
}

function toNchw(a: Float32Array, [b, h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(a.length);
  transposeInto(a, out, [b, h, w, c], [0, 3, 1, 2]);
  return out;
}

function run(k: CpuKernels, g: Conv2dGeometry, x: Float32Array, w: Float32Array, dy: Float32Array) {
  const y = new Float32Array(dy.length), dx = new Float32Array(x.length), dw = new Float32Array(w.length);
  k.conv2d(x, w, y, g);
  k.conv2dBackpropInput(dy, w, dx, g);
  k.conv2dBackpropFilter(x, dy, dw, g);
  return { y, dx, dw };
}

describe.runIf(native)('channels-first convolutions', () => {
  const { one: k1, three: k3 } = native!;

  it.each(CASES)('%s: NCHW against NHWC, thread-independent', (_name, nhwc) => {
    const g: Conv2dGeometry = { ...nhwc, channelsFirst: true };
    const xShape = [g.batch, g.inChannels, g.inHeight, g.inWidth];
    const yShape = [g.batch, g.outChannels, g.outHeight, g.outWidth];
    const x = randomFloats(xShape.reduce((a, b) => a * b), 31);
    const w = randomFloats(g.filterHeight * g.filterWidth * g.inChannels * g.outChannels, 32);
    const dy = randomFloats(yShape.reduce((a, b) => a * b), 33);
    const first = run(k1, g, x, w, dy);
    expect(run(k3, g, x, w, dy)).toEqual(first);
    const last = run(k1, nhwc, toNhwc(x, xShape), w, toNhwc(dy, yShape));
    const nhwcY = [g.batch, g.outHeight, g.outWidth, g.outChannels];
    const nhwcX = [g.batch, g.inHeight, g.inWidth, g.inChannels];
    expect(first.y).toEqual(toNchw(last.y, nhwcY));
    expect(first.dw).toEqual(last.dw);
    if (channelsFirstDirect(g)) expectWithinBound('dx', toNhwc(first.dx, xShape), conv2dBackpropInputExact(toNhwc(dy, yShape), w, nhwc));
    else expect(first.dx).toEqual(toNchw(last.dx, nhwcX));
  });

  it('tells which geometries run in place', () => {
    expect(CASES.map(([, g]) => channelsFirstDirect(g))).toEqual([true, true, true, true, true, true, true, false, false]);
  });

  it('refuses a channelsFirst flag that is not a boolean', () => {
    const g = convGeometry([1, 4, 12, 3], [3, 3, 3], [1, 1], [1, 1, 1, 1]);
    const a = new Float32Array(1 * 4 * 12 * 3);
    expect(() => k1.conv2d(a, new Float32Array(81), new Float32Array(a.length), { ...g, channelsFirst: 1 as unknown as boolean })).toThrow(/channelsFirst must be a boolean/);
  });
});

describe('channels-first reference kernels', () => {
  it('are the NHWC ones between transposes', () => {
    const nhwc = convGeometry([1, 3, 5, 2], [3, 3, 4], [1, 1], [1, 1, 1, 1]);
    const g = { ...nhwc, channelsFirst: true };
    const x = randomFloats(30, 41), w = randomFloats(72, 42), dy = randomFloats(60, 43);
    const got = run(referenceKernels, g, x, w, dy);
    const want = run(referenceKernels, nhwc, toNhwc(x, [1, 2, 3, 5]), w, toNhwc(dy, [1, 4, 3, 5]));
    expect(got.y).toEqual(toNchw(want.y, [1, 3, 5, 4]));
    expect(got.dx).toEqual(toNchw(want.dx, [1, 3, 5, 2]));
    expect(got.dw).toEqual(want.dw);
  });
});
