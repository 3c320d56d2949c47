import { loadGolden } from '@pq/fixtures';
import { describe, expect, it } from 'vitest';
import {
  e4m3Round, fakeAffineTensorQuant, fakeAffineTensorQuantGrad, ndarray, scaledE4M3, scaledE4M3Grad,
} from '../src/index.js';
import { expectBitExact, golden } from './helpers.js';

const affine = loadGolden('fake_affine').cases;
const e4m3 = loadGolden('e4m3').cases;

describe('fake_affine golden', () => {
  for (const c of affine) {
    it(c.name, () => {
      const x = golden(c.x);
      expectBitExact(fakeAffineTensorQuant(x, c.minRange, c.maxRange, c.numBits), golden(c.fake), 'fake');
      expectBitExact(fakeAffineTensorQuantGrad(x, c.minRange, c.maxRange, golden(c.dy)), golden(c.dx), 'dx');
    });
  }
});

describe('scaled_e4m3 golden', () => {
  for (const c of e4m3) {
    it(c.name, () => {
      expectBitExact(scaledE4M3(golden(c.x), c.amax), golden(c.out), 'out');
      if (c.amax !== null) {
        expectBitExact(scaledE4M3(golden(c.x), ndarray([c.amax], [1, 1])), golden(c.out), 'out (array amax)');
      }
    });
  }
});

describe('E4M3 rounding', () => {
  // Every finite E4M3 value, enumerated from its bit fields.
  const codes: number[] = [];
  for (let e = 0; e < 16; e++) {
    for (let m = 0; m < 8; m++) {
      if (e === 15 && m === 7) continue; // NaN code
      codes.push(e === 0 ? (m / 8) * 2 ** -6 : (1 + m / 8) * 2 ** (e - 7));
    }
  }
  it('every code is a fixed point and the largest is 448', () => {
    for (const v of codes) {
      expect(e4m3Round(v)).toBe(v);
      expect(e4m3Round(-v)).toBe(-v);
    }
    expect(codes[codes.length - 1]).toBe(448);
  });
  it('midpoints round to the even code, beyond 448 saturates', () => {
    for (let i = 0; i + 1 < codes.length; i++) {
      const mid = (codes[i]! + codes[i + 1]!) / 2;
      expect(e4m3Round(mid)).toBe(i % 2 === 0 ? codes[i] : codes[i + 1]);
    }
    expect(e4m3Round(464)).toBe(448);
    expect(e4m3Round(-1e9)).toBe(-448);
    expect(e4m3Round(NaN)).toBeNaN();
  });
  it('|x| < 2^-24 is +0 and NaN propagates', () => {
    const out = scaledE4M3(ndarray([-(2 ** -25), 2 ** -25, -(2 ** -12), NaN]));
    expect(Object.is(out.data[0], 0)).toBe(true);
    expect(Object.is(out.data[1], 0)).toBe(true);
    expect(Object.is(out.data[2], -0)).toBe(true);
    expect(out.data[3]).toBeNaN();
  });
  it('STE gradient uses amax, or 448 without it', () => {
    const x = ndarray([1, -3, 500, 448]);
    const dy = ndarray([1, 2, 3, 4]);
    expect(Array.from(scaledE4M3Grad(x, 2, dy).data)).toEqual([1, 0, 0, 0]);
    expect(Array.from(scaledE4M3Grad(x, null, dy).data)).toEqual([1, 2, 0, 4]);
  });
  it('errors: non-scalar amax, non-positive amax', () => {
    expect(() => scaledE4M3(ndarray([1, 2]), ndarray([1, 2]))).toThrow(
      'E4M3 quantization is per-tensor only: amax must be a scalar, got shape [2]',
    );
    expect(() => scaledE4M3(ndarray([1]), 0)).toThrow(/amax must be a finite number > 0, got 0/);
    expect(() => scaledE4M3Grad(ndarray([1]), -1, ndarray([1]))).toThrow(/got -1/);
  });
});

describe('fakeAffineTensorQuant errors and NaN', () => {
  it('rejects an empty or reversed range and bad numBits', () => {
    const x = ndarray([1]);
    expect(() => fakeAffineTensorQuant(x, 1, 1)).toThrow('minRange (1) must be less than maxRange (1)');
    expect(() => fakeAffineTensorQuant(x, 2, 1)).toThrow(/must be less than maxRange/);
    expect(() => fakeAffineTensorQuant(x, NaN, 1)).toThrow(/finite numbers/);
    expect(() => fakeAffineTensorQuant(x, 0, 1, 0)).toThrow(/numBits must be an integer in 1..16/);
    expect(() => fakeAffineTensorQuantGrad(x, 0, 1, ndarray([1, 2]))).toThrow(/dy shape \[2\]/);
  });
  it('NaN propagates', () => {
    expect(fakeAffineTensorQuant(ndarray([NaN]), 0, 1).data[0]).toBeNaN();
  });
});
