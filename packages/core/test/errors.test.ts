import { describe, expect, it } from 'vitest';
import { fakeTensorQuant, fakeTensorQuantGrad, ndarray, reduceAmax, tensorQuant } from '../src/index.js';

const x = ndarray([0.1, -0.2, 0.3, 0.4, -0.5, 0.6], [2, 3]);

describe('tensorQuant / fakeTensorQuant errors', () => {
  it('negative amax', () => {
    expect(() => fakeTensorQuant(x, -1)).toThrow('amax must be finite and non-negative, got -1 (at index 0)');
    expect(() => tensorQuant(x, ndarray([1, -2], [2, 1]))).toThrow(/got -2 \(at index 1\)/);
  });
  it('NaN or infinite amax (the reference returns NaN, or 0 with scale 0)', () => {
    expect(() => fakeTensorQuant(x, NaN)).toThrow('amax must be finite and non-negative, got NaN (at index 0)');
    expect(() => fakeTensorQuant(x, ndarray([1, NaN, 1]))).toThrow(/got NaN \(at index 1\)/);
    expect(() => fakeTensorQuant(x, Infinity)).toThrow('amax must be finite and non-negative, got Infinity (at index 0)');
    expect(() => tensorQuant(x, ndarray([1, Infinity], [2, 1]))).toThrow(/got Infinity \(at index 1\)/);
    // Finite in float64, infinite as the float32 it is stored in.
    expect(() => fakeTensorQuant(x, 1e39)).toThrow(/got Infinity/);
  });
  it('options: unknown keys and wrong types (instead of silently running at 8 bits)', () => {
    expect(() => fakeTensorQuant(x, 3, { numbits: 4 } as never)).toThrow(
      "fakeTensorQuant: unknown option 'numbits'; did you mean 'numBits'? (accepted: numBits, unsigned, narrowRange)",
    );
    expect(() => tensorQuant(x, 3, { narrow_range: false } as never)).toThrow(/tensorQuant: unknown option 'narrow_range'; did you mean 'narrowRange'/);
    expect(() => fakeTensorQuant(x, 3, { unsigned: 'yes' } as never)).toThrow("fakeTensorQuant: option 'unsigned' must be a boolean, got string 'yes'");
  });
  it('negative input with unsigned', () => {
    expect(() => fakeTensorQuant(x, 1, { unsigned: true })).toThrow(
      'negative input -0.20000000298023224 (at index 1) in unsigned quantization',
    );
  });
  it('numBits outside 2..16 signed / 1..16 unsigned', () => {
    for (const numBits of [1, 0, 17, -3]) {
      expect(() => fakeTensorQuant(x, 1, { numBits })).toThrow(/fakeTensorQuant: numBits must be an integer in 2..16 for signed/);
    }
    expect(() => fakeTensorQuant(x, 1, { numBits: 2.5 })).toThrow("fakeTensorQuant: option 'numBits' must be an integer, got 2.5");
    for (const numBits of [0, 17]) {
      expect(() => tensorQuant(ndarray([1]), 1, { numBits, unsigned: true })).toThrow(/1..16 for unsigned/);
    }
    expect(tensorQuant(ndarray([0.2, 0.7]), 1, { numBits: 1, unsigned: true }).outputs.data).toEqual(Float32Array.of(0, 1));
  });
  it('non-broadcastable amax', () => {
    expect(() => fakeTensorQuant(x, ndarray([1, 1], [2]))).toThrow(
      'amax shape [2] does not broadcast to input shape [2, 3]',
    );
    expect(() => fakeTensorQuantGrad(x, ndarray([1, 1, 1, 1], [4]), x)).toThrow(/does not broadcast/);
  });
  it('shape that does not match the data length', () => {
    const bad = { data: new Float32Array(5), shape: [2, 3] };
    expect(() => fakeTensorQuant(bad, 1)).toThrow('x shape [2, 3] needs 6 elements but data has 5');
    expect(() => fakeTensorQuant(x, { data: new Float32Array(1), shape: [2] })).toThrow(/amax shape \[2\] needs 2/);
  });
  it('dy of another shape', () => {
    expect(() => fakeTensorQuantGrad(x, 1, ndarray([1, 2, 3]))).toThrow('dy shape [3] must equal x shape [2, 3]');
  });
});

describe('reduceAmax errors', () => {
  it('axis out of range names the axis and the rank', () => {
    expect(() => reduceAmax(x, 2)).toThrow('axis 2 is out of range for rank 2 (expected -2..1)');
    expect(() => reduceAmax(x, [0, -3])).toThrow(/axis -3 is out of range for rank 2/);
    expect(() => reduceAmax(x, [1, -1])).toThrow(/repeated/);
  });
  it('reducing an empty axis', () => {
    expect(() => reduceAmax(ndarray([], [0, 3]), 0)).toThrow(/axis 0 of length 0/);
  });
});

describe('fakeTensorQuantInto / tensorQuantInto', () => {
  it('write into the given buffer, in place too, with the same results', async () => {
    const { fakeTensorQuantInto, tensorQuantInto } = await import('../src/index.js');
    const y = ndarray([0.1, -0.2, 0.3, 0.4, -0.5, 0.6], [2, 3]);
    const want = fakeTensorQuant(y, 0.6).data;
    const out = new Float32Array(6);
    expect(fakeTensorQuantInto(y, 0.6, out)).toBe(out);
    expect(out).toEqual(want);
    const scale = tensorQuantInto(y, ndarray([1, 2], [2, 1]), out);
    expect(scale.shape).toEqual([2, 1]);
    expect(out).toEqual(tensorQuant(y, ndarray([1, 2], [2, 1])).outputs.data);
    const inPlace = ndarray(y.data.slice(), y.shape);
    fakeTensorQuantInto(inPlace, 0.6, inPlace.data);
    expect(inPlace.data).toEqual(want);
    expect(() => fakeTensorQuantInto(y, 1, new Float32Array(5))).toThrow(
      'out must be a Float32Array of 6 elements (x\'s size), got 5 elements',
    );
  });
});
