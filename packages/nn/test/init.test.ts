// torch.nn.init's rules: the spread each initialiser gives a weight of a given shape.
import { describe, expect, it } from 'vitest';
import { Generator, init } from '@pq/nn';

function stats(values: Float32Array): { mean: number; std: number; maxAbs: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, std, maxAbs: values.reduce((a, b) => Math.max(a, Math.abs(b)), 0) };
}

describe('init', () => {
  it("kaimingNormal: N(0, gain^2 / fan), fan_out = out channels x kernel area, as torchvision's ResNets use", () => {
    const w = init.kaimingNormal([64, 16, 3, 3], { mode: 'fan_out', nonlinearity: 'relu' }, new Generator(1));
    const { mean, std } = stats(w.dataSync() as Float32Array);
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(std / Math.sqrt(2 / (64 * 9))).toBeCloseTo(1, 1);
    const fanIn = stats(init.kaimingNormal([64, 16, 3, 3], {}, new Generator(1)).dataSync() as Float32Array).std;
    expect(fanIn / Math.sqrt(2 / (16 * 9))).toBeCloseTo(1, 1);
  });

  it('kaimingUniform: U(±gain·sqrt(3/fan)); a = sqrt(5) (the layers\' default) gives 1/sqrt(fan_in)', () => {
    const { maxAbs } = stats(init.kaimingUniform([32, 50], { a: Math.sqrt(5) }, new Generator(2)).dataSync() as Float32Array);
    expect(maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(50));
    expect(maxAbs).toBeGreaterThan(0.98 / Math.sqrt(50));
  });

  it('truncNormal: N(mean, std^2) cut to [a, b], reproducible from a generator; bad arguments refused', () => {
    const w = init.truncNormal([100, 100], 0, 1, -0.5, 1.5, new Generator(3)).dataSync() as Float32Array;
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.max(...w)).toBeLessThanOrEqual(1.5);
    expect(Math.min(...w)).toBeLessThan(-0.49);
    // The mean of N(0, 1) restricted to [-0.5, 1.5]: (phi(-0.5) - phi(1.5)) / (Phi(1.5) - Phi(-0.5)) = 0.3039.
    expect(stats(w).mean).toBeCloseTo(0.304, 1);
    const small = init.truncNormal([4, 8], 0, 0.1, -2, 2, new Generator(3)).dataSync();
    expect(init.truncNormal([4, 8], 0, 0.1, -2, 2, new Generator(3)).dataSync()).toEqual(small);
    expect(() => init.truncNormal([2], 0, 1, 1, -1)).toThrow(/truncNormal: needs std >= 0, a < b/);
    expect(() => init.truncNormal([2], 10, 1)).toThrow(/mean within 2 std/);
  });
});
