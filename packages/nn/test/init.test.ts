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
});
