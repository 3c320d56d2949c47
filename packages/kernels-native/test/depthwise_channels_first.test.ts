// The channels-first depthwise kernels (forward and both gradients) against the reference bit
// for bit (the reference adds the same rounded terms in the same order), on 1 and 3 threads, at
// strides 1 and 2, with tails shorter than a vector and unreached rows and columns; and the
// reference itself within the float64 bound of the NHWC sums, transposed.
import { describe, expect, it } from 'vitest';
import { loadNativeKernels, referenceKernels, type Conv2dGeometry, type CpuKernels } from '../src/index.js';
import { conv2dExact, transposeInto } from '../src/reference.js';
import { convGeometry, depthwiseExact, expectWithinBound, randomFloats } from './helpers.js';

const one = loadNativeKernels({ threads: 1 });
const three = loadNativeKernels({ threads: 3 });

const depthwise = (xs: readonly [number, number, number, number], k: readonly [number, number], stride: readonly [number, number], pad: readonly [number, number, number, number]): Conv2dGeometry =>
  ({ ...convGeometry(xs, [k[0], k[1], xs[3]], stride, pad), channelsFirst: true });

const CASES: ReadonlyArray<readonly [string, Conv2dGeometry]> = [
  ['3x3 pad 1, 16x16, 11 channels', depthwise([2, 16, 16, 11], [3, 3], [1, 1], [1, 1, 1, 1])],
  ['3x3 stride 2 pad 1', depthwise([2, 16, 16, 5], [3, 3], [2, 2], [1, 1, 1, 1])],
  ['5x5 pad 2, 13 wide (a partial vector)', depthwise([1, 9, 13, 3], [5, 5], [1, 1], [2, 2, 2, 2])],
  ['3x2 stride (1, 2), asymmetric padding', depthwise([2, 7, 11, 4], [3, 2], [1, 2], [0, 1, 1, 0])],
  ['3x3 valid, 3 wide out', depthwise([1, 6, 5, 2], [3, 3], [1, 1], [0, 0, 0, 0])],
  ['2x2 stride 3, unreached trailing rows and columns', depthwise([1, 8, 8, 3], [2, 2], [3, 3], [0, 0, 0, 0])],
];

const nhwc = (a: Float32Array, [b, c, h, w]: readonly number[]): Float32Array => {
  const out = new Float32Array(a.length);
  transposeInto(a, out, [b, c, h, w], [0, 2, 3, 1]);
  return out;
};

function run(k: CpuKernels, g: Conv2dGeometry, x: Float32Array, w: Float32Array, dy: Float32Array) {
  const y = new Float32Array(dy.length).fill(NaN), dx = new Float32Array(x.length).fill(NaN), dw = new Float32Array(w.length).fill(NaN);
  k.depthwiseConv2d(x, w, y, g);
  k.depthwiseConv2dBackpropInput(dy, w, dx, g);
  k.depthwiseConv2dBackpropFilter(x, dy, dw, g);
  return { y, dx, dw };
}

function inputs(g: Conv2dGeometry) {
  const x = randomFloats(g.batch * g.inChannels * g.inHeight * g.inWidth, 61);
  const w = randomFloats(g.filterHeight * g.filterWidth * g.inChannels, 62);
  const dy = randomFloats(g.batch * g.outChannels * g.outHeight * g.outWidth, 63);
  return { x, w, dy };
}

describe.runIf(one && three)('channels-first depthwise kernels', () => {
  it.each(CASES)('%s: the reference bits on 1 and 3 threads', (_name, g) => {
    const { x, w, dy } = inputs(g);
    const want = run(referenceKernels, g, x, w, dy);
    expect(run(one!, g, x, w, dy)).toEqual(want);
    expect(run(three!, g, x, w, dy)).toEqual(want);
  });

  it('refuses an NHWC forward pass', () => {
    const g = depthwise([1, 4, 4, 2], [3, 3], [1, 1], [1, 1, 1, 1]);
    expect(() => one!.depthwiseConv2d(new Float32Array(32), new Float32Array(18), new Float32Array(32), { ...g, channelsFirst: false }))
      .toThrow(/depthwiseConv2d: only channels-first geometries are supported/);
  });
});

describe('channels-first depthwise reference', () => {
  it.each(CASES)('%s: within the bound of the float64 sums', (_name, g) => {
    const { x, w, dy } = inputs(g);
    const got = run(referenceKernels, g, x, w, dy);
    const flat = { ...g, channelsFirst: false };
    const xl = nhwc(x, [g.batch, g.inChannels, g.inHeight, g.inWidth]), dyl = nhwc(dy, [g.batch, g.outChannels, g.outHeight, g.outWidth]);
    // The forward pass as a dense convolution with a diagonal filter (zeros off the diagonal add nothing to the sums or the bound).
    const dense = new Float32Array(g.filterHeight * g.filterWidth * g.inChannels * g.inChannels);
    for (let t = 0; t < g.filterHeight * g.filterWidth; t++) for (let c = 0; c < g.inChannels; c++) dense[(t * g.inChannels + c) * g.inChannels + c] = w[t * g.inChannels + c]!;
    const yExact = conv2dExact(xl, dense, { ...flat, outChannels: g.inChannels });
    expectWithinBound('y', nhwc(got.y, [g.batch, g.outChannels, g.outHeight, g.outWidth]), { ...yExact, terms: g.filterHeight * g.filterWidth });
    expectWithinBound('dx', nhwc(got.dx, [g.batch, g.inChannels, g.inHeight, g.inWidth]), depthwiseExact(dyl, w, flat, 'input'));
    expectWithinBound('dFilter', got.dw, depthwiseExact(xl, dyl, flat, 'filter'));
  });
});
