import { describe, expect, it } from 'vitest';
import { fakeTensorQuant, fakeTensorQuantGrad, ndarray, reduceAmax, tensorQuant } from '../src/index.js';

describe('NaN inputs are data: they propagate', () => {
  const x = ndarray([NaN, 1, -1, 0.5]);
  it('fake quant and tensor quant give NaN where x is NaN', () => {
    const f = fakeTensorQuant(x, 1);
    expect(f.data[0]).toBeNaN();
    expect(Array.from(f.data.subarray(1))).toEqual([1, -1, Math.fround(64 / 127)]);
    expect(tensorQuant(x, 1).outputs.data[0]).toBeNaN();
  });
  it('unsigned does not reject NaN', () => {
    expect(fakeTensorQuant(ndarray([NaN, 1]), 1, { unsigned: true }).data[0]).toBeNaN();
  });
  it('the STE gradient is 0 at NaN', () => {
    expect(Array.from(fakeTensorQuantGrad(x, 1, ndarray([5, 6, 7, 8])).data)).toEqual([0, 6, 7, 8]);
  });
  it('reduceAmax is NaN where a reduced group holds NaN', () => {
    const r = reduceAmax(ndarray([1, NaN, 3, 4, 5, 6], [2, 3]), 1);
    expect(r.shape).toEqual([2, 1]);
    expect(r.data[0]).toBeNaN();
    expect(r.data[1]).toBe(6);
    const c = reduceAmax(ndarray([1, NaN, 3, 4, 5, 6], [2, 3]), 0, false);
    expect(c.data[1]).toBeNaN();
    expect(reduceAmax(ndarray([NaN, 1, 2])).data[0]).toBeNaN();
    expect(reduceAmax(ndarray([1, 2, NaN])).data[0]).toBeNaN();
  });
});

describe('edge cases', () => {
  it('zero amax quantizes to (signed) zero with scale 1', () => {
    const r = tensorQuant(ndarray([-0.5, 0.5]), 0);
    expect(Object.is(r.outputs.data[0], -0)).toBe(true);
    expect(Object.is(r.outputs.data[1], 0)).toBe(true);
    expect(Array.from(r.scale.data)).toEqual([1]);
  });
  it('scalars and empty tensors', () => {
    expect(fakeTensorQuant({ data: Float32Array.of(0.5), shape: [] }, 1).shape).toEqual([]);
    expect(fakeTensorQuant(ndarray([], [0, 3]), ndarray([1, 1, 1])).data.length).toBe(0);
  });
  it('amax with extra leading 1s and a rank-1 amax on the last axis', () => {
    const x = ndarray([1, 2, 3, 4, 5, 6], [2, 3]);
    const a = fakeTensorQuant(x, ndarray([6, 6, 6], [1, 1, 3]));
    expect(Array.from(a.data)).toEqual(Array.from(fakeTensorQuant(x, 6).data));
  });
  it('reduceAmax keepDims and the scalar squeeze of a one-element result', () => {
    const x = ndarray([1, -7, 3, 4], [2, 2]);
    expect(reduceAmax(x, [0, 1]).shape).toEqual([]);
    expect(reduceAmax(x, [0, 1], false).shape).toEqual([]);
    expect(reduceAmax(ndarray([3, -5], [2, 1]), 0).shape).toEqual([1, 1]);
    expect(reduceAmax(x, [0]).shape).toEqual([1, 2]);
    expect(Array.from(reduceAmax(x, [0], false).data)).toEqual([3, 7]);
  });
});
