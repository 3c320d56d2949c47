import { ndarray } from '@pq/core';
import { describe, expect, it } from 'vitest';
import { MaxCalibrator } from '../src/index.js';

describe('MaxCalibrator', () => {
  it('returns null before any collect and keeps the running elementwise max', () => {
    const cal = new MaxCalibrator({ axis: 0, trackAmax: true });
    expect(cal.computeAmax()).toBeNull();
    cal.collect(ndarray([1, -5, 2, 0], [2, 2]));
    cal.collect(ndarray([-3, 1, 0, 0.5], [2, 2]));
    expect(cal.computeAmax()).toEqual(ndarray([5, 2], [2, 1]));
    expect(cal.amaxs).toEqual([ndarray([5, 2], [2, 1]), ndarray([3, 0.5], [2, 1])]);
  });

  it('per tensor gives a scalar', () => {
    const cal = new MaxCalibrator();
    cal.collect(ndarray([1, -7, 2], [3]));
    expect(cal.computeAmax()).toEqual({ data: Float32Array.of(7), shape: [] });
    expect(cal.amaxs).toEqual([]);
  });

  it('refuses an amax shape change, leaving the running amax intact', () => {
    const cal = new MaxCalibrator({ axis: 1 });
    cal.collect(ndarray([1, 2, 3, 4], [2, 2]));
    expect(() => cal.collect(ndarray([1, 2, 3], [1, 3]))).toThrow(
      /amax shape changed from \[1, 2\] to \[1, 3\] \(x shape \[1, 3\]\)/,
    );
    cal.collect(ndarray([9, 0], [1, 2]));
    expect(cal.computeAmax()).toEqual(ndarray([9, 4], [1, 2]));
  });

  it('refuses NaN / ±Infinity (with the count), empty input, and negatives when unsigned', () => {
    const cal = new MaxCalibrator();
    expect(() => cal.collect(ndarray([NaN, Infinity, 1]))).toThrow(
      /MaxCalibrator\.collect: x has 2 non-finite values \(NaN or ±Infinity\) among 3/,
    );
    expect(() => new MaxCalibrator({ axis: 0 }).collect(ndarray([1, 2, -Infinity, 4], [2, 2]))).toThrow(
      /x has 1 non-finite value \(NaN or ±Infinity\) among 4/,
    );
    expect(() => cal.collect(ndarray([], [2, 0]))).toThrow(/x is empty \(shape \[2, 0\]\)/);
    expect(cal.computeAmax()).toBeNull();
    expect(() => new MaxCalibrator({ unsigned: true }).collect(ndarray([1, -2]))).toThrow(
      /negative value -2 \(at index 1\) with unsigned quantization/,
    );
    expect(() => new MaxCalibrator({ axis: 2 }).collect(ndarray([1, 2]))).toThrow(/axis 2 is out of range for rank 1/);
    expect(() => new MaxCalibrator({ axes: 1 } as object)).toThrow(/unknown option 'axes'/);
  });

  it('checks its options when built: numBits range, types, snake_case keys, axis', () => {
    expect(() => new MaxCalibrator({ numBits: 99 })).toThrow('MaxCalibrator: numBits must be an integer in 2..16 for signed quantization, got 99');
    expect(new MaxCalibrator({ numBits: 1, unsigned: true }).numBits).toBe(1);
    expect(() => new MaxCalibrator({ unsigned: 'yes' } as never)).toThrow("MaxCalibrator: option 'unsigned' must be a boolean, got string 'yes'");
    expect(() => new MaxCalibrator({ num_bits: 4 } as never)).toThrow(
      "MaxCalibrator: unknown option 'num_bits'; did you mean 'numBits'? (accepted: numBits, axis, blockSizes, unsigned, trackAmax, kernels)",
    );
    expect(() => new MaxCalibrator({ axis: [0, 0] })).toThrow('MaxCalibrator: axis 0 is repeated in [0, 0]');
    expect(() => new MaxCalibrator({ axis: '0' } as never)).toThrow("MaxCalibrator: axis must be an integer, a list of integers or null, got string '0'");
    expect(new MaxCalibrator({ axis: Int32Array.of(0, 2) as never }).axis).toEqual([0, 2]);
  });

  it('starts from scratch after reset', () => {
    const cal = new MaxCalibrator({ axis: 0, trackAmax: true });
    cal.collect(ndarray([5, 5], [2, 1]));
    cal.reset();
    expect(cal.computeAmax()).toBeNull();
    expect(cal.amaxs).toEqual([]);
    // A different shape is fine after reset.
    cal.collect(ndarray([1, 2, 3], [3]));
    expect(cal.computeAmax()).toEqual(ndarray([1, 2, 3], [3]));
  });
});

describe('MaxCalibrator with blockSizes', () => {
  it('keeps the running max of each block (a last partial block too)', () => {
    const c = new MaxCalibrator({ blockSizes: { [-1]: 2 } });
    c.collect(ndarray([1, -3, 2, 0.5, 4, 1, -1, 2, 6, 0], [2, 5]));
    c.collect(ndarray([5, 0, 0, 1, -7, 0, 0, 3, 1, 1], [2, 5]));
    const a = c.computeAmax()!;
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([5, 2, 7, 1, 6, 1]);
    expect(() => new MaxCalibrator({ axis: 0, blockSizes: { [-1]: 2 } })).toThrow('MaxCalibrator: axis and blockSizes cannot both be set');
    expect(() => new MaxCalibrator({ blockSizes: { [-1]: -2 } })).toThrow('block size of axis -1 must be a positive integer or null');
  });
});
