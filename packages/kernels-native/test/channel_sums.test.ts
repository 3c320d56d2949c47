// channelSums against the reference bit for bit: each channel summed in float32 in (outer,
// inner) order, whatever the thread count, with channels and rows off the 8-lane blocks, and on
// data whose sum depends on the order (so that another order fails).
import { describe, expect, it } from 'vitest';
import { loadNativeKernels, referenceKernels } from '../src/index.js';
import { randomFloats } from './helpers.js';

const one = loadNativeKernels({ threads: 1 });
const three = loadNativeKernels({ threads: 3 });

/** Floats of mixed magnitude (every 7th times 2^20), whose float32 sum rounds differently in another order. */
function mixed(n: number, seed: number): Float32Array {
  return randomFloats(n, seed).map((v, i) => (i % 7 === 0 ? v * 2 ** 20 : v));
}

function pairwise(x: Float32Array, outer: number, channels: number, inner: number): Float32Array {
  const out = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const parts = new Float32Array(outer);
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) parts[o] += x[(o * channels + c) * inner + i]!;
    out[c] = parts.reduce((a, b) => Math.fround(a + b), 0);
  }
  return out;
}

describe.runIf(one && three)('channelSums', () => {
  it.each([
    [3, 13, 37],
    [2, 64, 1024],
    [1, 8, 8],
    [4, 5, 1],
    [0, 6, 9],
  ])('outer %i, %i channels, inner %i: the reference bits on 1 and 3 threads', (outer, channels, inner) => {
    const x = mixed(outer * channels * inner, outer + channels + inner);
    const want = new Float32Array(channels).fill(NaN);
    referenceKernels.channelSums(x, want, outer, channels, inner);
    for (const k of [one!, three!]) {
      const got = new Float32Array(channels).fill(NaN);
      k.channelSums(x, got, outer, channels, inner);
      expect(got).toEqual(want);
    }
  });

  it('sums in order: data where another order rounds differently', () => {
    const [outer, channels, inner] = [3, 13, 37];
    const x = mixed(outer * channels * inner, 53);
    const want = new Float32Array(channels);
    referenceKernels.channelSums(x, want, outer, channels, inner);
    expect(pairwise(x, outer, channels, inner)).not.toEqual(want);
  });

  it('refuses arrays of the wrong size', () => {
    expect(() => one!.channelSums(new Float32Array(10), new Float32Array(2), 1, 2, 4)).toThrow(/channelSums: x has 10 elements/);
    expect(() => one!.channelSums(new Float32Array(8), new Float32Array(3), 1, 2, 4)).toThrow(/channelSums: sums has 3 elements/);
  });
});
