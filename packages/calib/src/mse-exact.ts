// One candidate of the MSE method exactly as the reference computes it in torch float32:
// `q = fake_tensor_quant(centers, amax)` (or scaled_e4m3), `mean((q - centers)^2 * counts)`.
// The elementwise ops round to float32 like torch; the sum runs in float64 (torch's own float32
// summation order is not reproducible) and the mean is rounded to float32 as torch returns it.
import { fakeTensorQuant, scaledE4M3, type NDArray } from '@pq/core';

/** Integer formats, or E4M3 (numBits [4, 3]). */
export type MseNumBits = number | readonly [4, 3];

/** `(edges[j] + edges[j + 1]) / 2` in float32, for the first `n` bins. */
export function binCenters(edges: ArrayLike<number>, n: number): Float32Array {
  const centers = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    centers[j] = Math.fround(Math.fround(Math.fround(edges[j]!) + Math.fround(edges[j + 1]!)) / 2);
  }
  return centers;
}

/** Sum of `fround(fround(fround(q - c)^2) * w)` over the bins, for quantized centers `q`. */
export function squaredErrorSum(q: Float32Array, centers: Float32Array, weights: Float32Array): number {
  let sum = 0;
  for (let j = 0; j < centers.length; j++) {
    const d = Math.fround(q[j]! - centers[j]!);
    sum += Math.fround(Math.fround(d * d) * weights[j]!);
  }
  return sum;
}

/** The reference's float32 mse of one candidate amax. */
export function mseAt(centers: NDArray, weights: Float32Array, amax: number, numBits: MseNumBits, unsigned: boolean): number {
  const q = typeof numBits === 'number' ? fakeTensorQuant(centers, amax, { numBits, unsigned }) : scaledE4M3(centers, amax);
  return Math.fround(squaredErrorSum(q.data, centers.data, weights) / centers.data.length);
}
