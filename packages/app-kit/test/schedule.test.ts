import { describe, expect, it } from 'vitest';
import { cosineLr, warmupCosineLr } from '../src/schedule.js';

describe('schedules', () => {
  it('anneals by a cosine, after a linear warm-up when asked', () => {
    expect(cosineLr(1, 0, 0, 10)).toBe(1);
    expect(cosineLr(1, 0, 5, 10)).toBeCloseTo(0.5, 15);
    expect(cosineLr(1, 0.1, 10, 10)).toBeCloseTo(0.1, 15);
    expect(cosineLr(1, 0, 3, 0)).toBe(1);
    expect([0, 1, 3].map((s) => warmupCosineLr(0.4, 0, s, 14, 4))).toEqual([0.1, 0.2, 0.4]);
    expect(warmupCosineLr(0.4, 0, 4, 14, 4)).toBe(0.4);
    expect(warmupCosineLr(0.4, 0, 9, 14, 4)).toBeCloseTo(0.2, 15);
  });
});
