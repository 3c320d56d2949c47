// fakeQuantSwap and straightThroughSwap against the reference bit for bit, on 1 and 3 threads,
// with outer sizes and column counts off the 8x8 blocks, on data holding ties (x·scale at
// k + 0.5), values past the clamp, NaN, -0 and Infinity; and against the unfused form they
// replace: core's fake quantization (here the reference's arithmetic) then a transpose.
import { describe, expect, it } from 'vitest';
import { loadNativeKernels, referenceKernels } from '../src/index.js';
import { randomFloats } from './helpers.js';

const one = loadNativeKernels({ threads: 1 });
const three = loadNativeKernels({ threads: 3 });

/** The first index where a and b differ bit for bit (NaN matches NaN, -0 does not match +0), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** A weight [outer, middle, inner] with ties, clamped values and the special values scattered. */
function weight(n: number, seed: number): Float32Array {
  return randomFloats(n, seed).map((v, i) => {
    if (i % 29 === 0) return Number.NaN;
    if (i % 31 === 0) return -0;
    if (i % 37 === 0) return i % 2 === 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    if (i % 5 === 0) return (Math.round(v * 20) + 0.5) / 16; // x·scale (scale 16) lands on a half
    return v * 1.5; // some past amax 1: clamped
  });
}

/** core's scales for 8-bit signed narrow-range fake quantization with amax per outer index. */
function scales(amax: Float32Array): { scale: Float32Array; divisor: Float32Array } {
  return { scale: amax.map((m) => 127 / m), divisor: amax.map((m) => 127 / m) };
}

function amaxOf(outer: number): Float32Array {
  // 127/8 = 15.875 for most rows; one row of amax 127/16 so that its scale is exactly 16.
  return Float32Array.from({ length: outer }, (_, a) => (a % 3 === 0 ? 127 / 16 : 1 + a / outer));
}

const SHAPES: ReadonlyArray<[number, number, number]> = [
  [64, 16, 9], // a 3x3 conv's weight
  [13, 5, 3], // nothing on the 8x8 blocks
  [24, 1, 9], // a depthwise weight [C, 1, 3, 3]
  [40, 11, 1], // a 1x1 conv's: a plain 2-d transpose
  [7, 3, 8],
  [0, 4, 9],
  [64, 512, 9], // past 2^18 elements: the gradient by strips of sixteen rows
  [37, 800, 9], // the same with a short last strip
  [300, 900, 1], // a 1x1 convolution's by strips (taps one at a time)
];

describe.runIf(one && three)('fakeQuantSwap and straightThroughSwap', () => {
  it.each(SHAPES)('[%i, %i, %i]: the reference bits on 1 and 3 threads', (outer, middle, inner) => {
    const n = outer * middle * inner;
    const x = weight(n, outer + middle + inner);
    const amax = amaxOf(outer);
    const { scale, divisor } = scales(amax);
    const want = new Float32Array(n).fill(7);
    referenceKernels.fakeQuantSwap(x, want, outer, middle, inner, scale, divisor, -127, 127);
    const dy = randomFloats(n, 5).map((v, i) => (i % 23 === 0 ? -0 : v));
    const wantDx = new Float32Array(n).fill(7);
    referenceKernels.straightThroughSwap(x, dy, wantDx, outer, middle, inner, amax);
    for (const k of [one!, three!]) {
      const y = new Float32Array(n).fill(7);
      k.fakeQuantSwap(x, y, outer, middle, inner, scale, divisor, -127, 127);
      expect(firstDifference(y, want), 'y').toBe(-1);
      const dx = new Float32Array(n).fill(7);
      k.straightThroughSwap(x, dy, dx, outer, middle, inner, amax);
      expect(firstDifference(dx, wantDx), 'dx').toBe(-1);
    }
  });

  it('is fake quantization then the transpose [a, b, c] -> [c, b, a], and the mask then the transpose back', () => {
    const [outer, middle, inner] = [16, 3, 9];
    const n = outer * middle * inner;
    const x = weight(n, 3);
    const amax = amaxOf(outer);
    const { scale, divisor } = scales(amax);
    const y = new Float32Array(n);
    one!.fakeQuantSwap(x, y, outer, middle, inner, scale, divisor, -127, 127);
    const dy = randomFloats(n, 9);
    const dx = new Float32Array(n);
    one!.straightThroughSwap(x, dy, dx, outer, middle, inner, amax);
    let ties = 0;
    for (let a = 0; a < outer; a++) {
      for (let b = 0; b < middle; b++) {
        for (let c = 0; c < inner; c++) {
          const v = x[(a * middle + b) * inner + c]!;
          const q = Math.fround(v * scale[a]!);
          if (Math.abs(q) % 1 === 0.5) ties++;
          const r = Number.isNaN(q) ? q : Math.min(127, Math.max(-127, q));
          const even = Math.abs(r) % 1 === 0.5 ? 2 * Math.round(r / 2) : Math.round(r);
          expect(y[(c * middle + b) * outer + a]).toBe(Math.fround(even / divisor[a]!)); // Math.round keeps -0
          expect(dx[(a * middle + b) * inner + c]).toBe(Math.abs(v) <= amax[a]! ? dy[(c * middle + b) * outer + a] : 0);
        }
      }
    }
    expect(ties).toBeGreaterThan(10);
  });

  it('refuses arrays of the wrong size, per-row arrays of the wrong length and bounds out of order', () => {
    const f = (n: number) => new Float32Array(n);
    expect(() => one!.fakeQuantSwap(f(10), f(12), 2, 2, 3, f(2), f(2), -127, 127)).toThrow(/fakeQuantSwap: x has 10 elements/);
    expect(() => one!.fakeQuantSwap(f(12), f(12), 2, 2, 3, f(3), f(2), -127, 127)).toThrow(/fakeQuantSwap: scale has 3 elements/);
    expect(() => one!.fakeQuantSwap(f(12), f(12), 2, 2, 3, f(2), f(2), 127, -127)).toThrow(/fakeQuantSwap: lo \(127\) must not exceed hi/);
    expect(() => one!.straightThroughSwap(f(12), f(12), f(11), 2, 2, 3, f(2))).toThrow(/straightThroughSwap: dx has 11 elements/);
    expect(() => one!.straightThroughSwap(f(12), f(12), f(12), 2, 2, 3, f(1))).toThrow(/straightThroughSwap: bound has 1 elements/);
  });
});
