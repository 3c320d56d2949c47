// The oracle itself: a hand-computed case, the adjoint identities that tie the three conv kernels
// together (<conv(x, w), dy> = <x, dInput(dy, w)> = <w, dFilter(x, dy)>), maxPoolGrad's rules
// worked by hand, and the argument checks.
import { describe, expect, it } from 'vitest';
import { referenceKernels as ref } from '../src/index.js';
import { CONV_CASES, convGeometry, mismatches, poolGeometry, poolGrad, poolRuleCases, randomFloats } from './helpers.js';

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe('referenceKernels', () => {
  it('multiplies with every transposition', () => {
    const a = Float32Array.of(1, 2, 3, 4, 5, 6); // 2x3
    const b = Float32Array.of(7, 8, 9, 10, 11, 12); // 3x2
    const c = new Float32Array(4);
    ref.matmul(a, b, c, 1, 2, 2, 3, false, false);
    expect(Array.from(c)).toEqual([58, 64, 139, 154]);
    ref.matmul(Float32Array.of(1, 4, 2, 5, 3, 6), Float32Array.of(7, 9, 11, 8, 10, 12), c, 1, 2, 2, 3, true, true);
    expect(Array.from(c)).toEqual([58, 64, 139, 154]);
  });

  it('transposes a 2x3 matrix and a 2x1x3 int32 tensor, keeping NaN payloads', () => {
    const y = new Float32Array(6);
    ref.transpose(Float32Array.of(1, 2, 3, 4, 5, 6), y, [2, 3], [1, 0]);
    expect(Array.from(y)).toEqual([1, 4, 2, 5, 3, 6]);
    const yi = new Int32Array(6);
    ref.transpose(Int32Array.of(1, 2, 3, 4, 5, 6), yi, [2, 1, 3], [2, 1, 0]);
    expect(Array.from(yi)).toEqual([1, 4, 2, 5, 3, 6]);
    const nan = new Float32Array(new Uint32Array([0x7fa00001, 0xffc00123]).buffer);
    const out = new Float32Array(2);
    ref.transpose(nan, out, [1, 2], [1, 0]);
    expect(Array.from(new Uint32Array(out.buffer))).toEqual([0x7fa00001, 0xffc00123]);
  });

  it('convolves a 3x3 input with a 2x2 filter, padding 1 at the top only', () => {
    const g = convGeometry([1, 3, 3, 1], [2, 2, 1], [1, 1], [1, 0, 0, 0]);
    expect([g.outHeight, g.outWidth]).toEqual([3, 2]);
    const y = new Float32Array(6);
    ref.conv2d(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), Float32Array.of(1, 10, 100, 1000), y, g);
    // Row 0 sees only the bottom filter row (100, 1000) over input row 0.
    expect(Array.from(y)).toEqual([2100, 3200, 5421, 6532, 8754, 9865]);
  });

  it.each(CONV_CASES)('has consistent gradients: %s', (_name, g) => {
    const x = randomFloats(g.batch * g.inHeight * g.inWidth * g.inChannels, 1);
    const w = randomFloats(g.filterHeight * g.filterWidth * g.inChannels * g.outChannels, 2);
    const dy = randomFloats(g.batch * g.outHeight * g.outWidth * g.outChannels, 3);
    const y = new Float32Array(dy.length);
    const dx = new Float32Array(x.length);
    const dw = new Float32Array(w.length);
    ref.conv2d(x, w, y, g);
    ref.conv2dBackpropInput(dy, w, dx, g);
    ref.conv2dBackpropFilter(x, dy, dw, g);
    const forward = dot(y, dy);
    const scale = Math.sqrt(dot(y, y) * dot(dy, dy)) + 1;
    expect(Math.abs(dot(x, dx) - forward) / scale).toBeLessThan(1e-5);
    expect(Math.abs(dot(w, dw) - forward) / scale).toBeLessThan(1e-5);
  });

  it.each(poolRuleCases().map((c) => [c.name, c] as const))('maxPoolGrad, worked by hand: %s', (_name, c) => {
    expect(mismatches(poolGrad(ref, c.x, c.dy, c.g), c.want)).toEqual([]);
  });

  it('maxPoolGrad: 3x3 stride 2 pad 1 windows, clipped to the input and overlapping', () => {
    // x[r, c] = 4r + c on a 4x4 input; windows start at rows and columns -1 and 1, so they cover
    // rows (and columns) 0..1 and 1..3: maxima 5, 7, 13, 15. Raising cell (1, 1), in all four
    // windows, makes it every window's maximum: it gets the four dy summed.
    const g = poolGeometry([1, 4, 4, 1], [3, 3], [2, 2], [1, 1, 1, 1]);
    expect([g.outHeight, g.outWidth]).toEqual([2, 2]);
    const x = Float32Array.from({ length: 16 }, (_, i) => i);
    const dy = Float32Array.of(1, 2, 3, 4);
    const want = new Float32Array(16);
    [want[5], want[7], want[13], want[15]] = [1, 2, 3, 4];
    expect(Array.from(poolGrad(ref, x, dy, g))).toEqual(Array.from(want));
    x[5] = 100;
    want.fill(0)[5] = 10;
    expect(Array.from(poolGrad(ref, x, dy, g))).toEqual(Array.from(want));
  });

  it('refuses wrong sizes, naming the argument', () => {
    const g = convGeometry([1, 4, 4, 2], [3, 3, 2], [1, 1], [1, 1, 1, 1]);
    const x = new Float32Array(32);
    const w = new Float32Array(36);
    expect(() => ref.conv2d(x, w, new Float32Array(31), g)).toThrow('conv2d: y has 31 elements, expected 32 (NHWC 1x4x4x2)');
    expect(() => ref.conv2dBackpropFilter(x, new Float32Array(32), new Float32Array(35), g)).toThrow('dFilter has 35 elements, expected 36');
    expect(() => ref.conv2d(x, w, new Float32Array(32), { ...g, strideHeight: 0 })).toThrow('geometry.strideHeight must be an integer >= 1 (got 0)');
    expect(() => ref.matmul(new Float32Array(6), new Float32Array(6), new Float32Array(4), 1, 2, 2, 3, false, true)).not.toThrow();
    expect(() => ref.matmul(new Float32Array(6), new Float32Array(5), new Float32Array(4), 1, 2, 2, 3, false, true)).toThrow('matmul: b has 5 elements, expected 6 (batch 1 x n 2 x k 3)');
    const pg = poolGeometry([1, 4, 4, 2], [2, 2], [2, 2], [0, 0, 0, 0]);
    expect(() => ref.maxPoolGrad(x, new Float32Array(8), new Float32Array(31), pg)).toThrow('maxPoolGrad: dx has 31 elements, expected 32 (NHWC 1x4x4x2)');
    expect(() => ref.maxPoolGrad(x, new Float32Array(8), new Float32Array(32), { ...pg, filterHeight: 0 })).toThrow('maxPoolGrad: geometry.filterHeight must be an integer >= 1 (got 0)');
  });
});
