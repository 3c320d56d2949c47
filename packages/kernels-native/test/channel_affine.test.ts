// channelAffine against the reference bit for bit (the product rounded to float32, then the
// sum: tfjs's Mul then Add), on 1 and 3 threads, by rows (eight or more positions) and across
// channels (1x1 maps, [N, C]), with channel counts and rows off the 8-lane vectors; and against
// one rounding (a fused multiply-add), which gives other bits on this data.
import { describe, expect, it } from 'vitest';
import { loadNativeKernels, referenceKernels } from '../src/index.js';
import { randomFloats } from './helpers.js';

const one = loadNativeKernels({ threads: 1 });
const three = loadNativeKernels({ threads: 3 });

function run(k: typeof referenceKernels, outer: number, channels: number, inner: number): { x: Float32Array; a: Float32Array; b: Float32Array; y: Float32Array } {
  const x = randomFloats(outer * channels * inner, outer + channels + inner).map((v, i) => (i % 37 === 0 ? -0 : v * 3));
  const a = randomFloats(channels, 5).map((v) => v * 7.1);
  const b = randomFloats(channels, 6);
  const y = new Float32Array(x.length).fill(7);
  k.channelAffine(x, a, b, y, outer, channels, inner);
  return { x, a, b, y };
}

describe.runIf(one && three)('channelAffine', () => {
  it.each([
    [3, 13, 37],
    [2, 16, 64],
    [32, 20, 1],
    [4, 9, 3],
    [0, 5, 4],
  ])('[%i, %i, %i]: the reference bits on 1 and 3 threads', (outer, channels, inner) => {
    const want = run(referenceKernels, outer, channels, inner).y;
    for (const k of [one!, three!]) expect(run(k, outer, channels, inner).y).toEqual(want);
  });

  it('rounds twice: one rounding (as a fused multiply-add would) gives other bits', () => {
    const { x, a, b, y } = run(referenceKernels, 3, 13, 37);
    const fused = x.map((v, i) => v * a[Math.floor(i / 37) % 13]! + b[Math.floor(i / 37) % 13]!);
    expect(fused).not.toEqual(y);
  });

  it('refuses arrays of the wrong size', () => {
    const f = (n: number) => new Float32Array(n);
    expect(() => one!.channelAffine(f(11), f(2), f(2), f(12), 2, 2, 3)).toThrow(/channelAffine: x has 11 elements/);
    expect(() => one!.channelAffine(f(12), f(2), f(3), f(12), 2, 2, 3)).toThrow(/channelAffine: shift has 3 elements/);
  });
});
