import { describe, expect, it } from 'vitest';
import { argmaxRows, cosineLr } from '@pq/app-kit';
import { accuracy } from '../src/evaluate.js';
import { qatLr } from '../src/schedule.js';

describe('schedules', () => {
  it('QAT starts at 1% of the float lr and anneals to 1% of that', () => {
    expect(qatLr(0.02, 0, 100)).toBeCloseTo(0.0002, 15);
    expect(qatLr(0.02, 50, 100)).toBeCloseTo((0.0002 + 0.000002) / 2, 15);
    expect(qatLr(0.02, 100, 100)).toBeCloseTo(0.000002, 15);
    expect(cosineLr(1, 0, 0, 0)).toBe(1);
  });
});

describe('evaluation', () => {
  it('takes the first maximum per row and counts correct labels', () => {
    expect(Array.from(argmaxRows(Float32Array.from([0, 3, 3, 1, 2, 0]), 3))).toEqual([1, 1]);
    expect(() => argmaxRows(new Float32Array(7), 3)).toThrow(/7 scores are not rows of 3/);
    const test = { images: new Float32Array(3 * 784), labels: Int32Array.from([1, 2, 1]), count: 3 };
    const onesEverywhere = (b: { count: number }) => Float32Array.from({ length: b.count * 10 }, (_, i) => (i % 10 === 1 ? 1 : 0));
    expect(accuracy(onesEverywhere, test)).toBeCloseTo(2 / 3, 12);
  });
});
