// batchNormTrain and its gradient against the reference bit for bit (float64 sums in the
// one-channel loop's order, float32 results), on 1 and 3 threads, with channel counts off the
// blocks of eight, spatial sizes on and off the 8x8 transposes (1: LeNet-style [N, C] and ResNet's
// 1x1 maps), on data of mixed magnitudes whose sums round differently in another order.
import { describe, expect, it } from 'vitest';
import { loadNativeKernels, referenceKernels } from '../src/index.js';
import { randomFloats } from './helpers.js';

const one = loadNativeKernels({ threads: 1 });
const three = loadNativeKernels({ threads: 3 });

/** Floats of mixed magnitude: every third times 1e3, the others shifted off zero. */
function mixed(count: number, seed: number): Float32Array {
  return randomFloats(count, seed).map((v, i) => (i % 3 === 0 ? v * 1e3 : v + 0.5));
}

function run(k: typeof referenceKernels, n: number, c: number, s: number, seed: number): Float32Array[] {
  const [x, dy] = [mixed(n * c * s, seed), mixed(n * c * s, seed + 1)];
  const [w, b] = [mixed(c, seed + 2), mixed(c, seed + 3)];
  const [y, mean, variance] = [new Float32Array(n * c * s), new Float32Array(c), new Float32Array(c)].map((a) => a.fill(7));
  k.batchNormTrain(x, w, b, y!, mean!, variance!, n, c, s, 1e-5);
  const [dx, dw, db] = [new Float32Array(n * c * s), new Float32Array(c), new Float32Array(c)].map((a) => a.fill(7));
  k.batchNormTrainGrad(dy, x, mean!, variance!, w, dx!, dw!, db!, n, c, s, 1e-5);
  return [y!, mean!, variance!, dx!, dw!, db!];
}

const NAMES = ['y', 'mean', 'variance', 'dx', 'dWeight', 'dBias'];

describe.runIf(one && three)('batchNormTrain and batchNormTrainGrad', () => {
  it.each([
    [3, 6, 5],
    [32, 20, 1],
    [4, 9, 6],
    [2, 11, 15],
    [2, 17, 64],
    [1, 8, 8],
    [5, 1, 3],
  ])('[%i, %i, %i]: the reference bits on 1 and 3 threads', (n, c, s) => {
    const want = run(referenceKernels, n, c, s, n + c + s);
    for (const k of [one!, three!]) {
      const got = run(k, n, c, s, n + c + s);
      got.forEach((g, i) => expect(g, NAMES[i]).toEqual(want[i]));
    }
  });

  it('sums in order: float32 sums of the same data give other bits', () => {
    const [n, c, s] = [4, 9, 6];
    const x = mixed(n * c * s, 19);
    const mean = new Float32Array(c);
    referenceKernels.batchNormTrain(x, new Float32Array(c).fill(1), new Float32Array(c), new Float32Array(x.length), mean, new Float32Array(c), n, c, s, 1e-5);
    const float32 = Float32Array.from({ length: c }, (_, ch) => {
      let acc = 0;
      for (let img = 0; img < n; img++) for (let i = 0; i < s; i++) acc = Math.fround(acc + x[(img * c + ch) * s + i]!);
      return acc / (n * s);
    });
    expect(float32).not.toEqual(mean);
  });

  it('refuses arrays of the wrong size and a bad eps', () => {
    const f = (len: number) => new Float32Array(len);
    expect(() => one!.batchNormTrain(f(11), f(2), f(2), f(12), f(2), f(2), 2, 2, 3, 1e-5)).toThrow(/batchNormTrain: x has 11 elements/);
    expect(() => one!.batchNormTrain(f(12), f(3), f(2), f(12), f(2), f(2), 2, 2, 3, 1e-5)).toThrow(/batchNormTrain: weight has 3 elements/);
    expect(() => one!.batchNormTrain(f(12), f(2), f(2), f(12), f(2), f(2), 2, 2, 3, -1)).toThrow(/batchNormTrain: eps must be/);
    expect(() => one!.batchNormTrainGrad(f(12), f(12), f(2), f(2), f(2), f(12), f(2), f(1), 2, 2, 3, 1e-5)).toThrow(/batchNormTrainGrad: dBias has 1 elements/);
  });
});
