// The README's example, calibrating three batches (run: npx tsc -p tsconfig.build.json && npx tsx examples/three-batches.ts).
import { ndarray } from '@pq/core';
import { HistogramCalibrator, MaxCalibrator } from '@pq/calib';

// A deterministic stand-in for activations: ReLU of a Gaussian, with a rare large outlier.
let seed = 42;
const uniform = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
const gaussian = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
const batch = () =>
  ndarray(Float32Array.from({ length: 64 * 1024 }, () => (uniform() < 1e-4 ? 8 + 8 * uniform() : Math.max(0, gaussian()))), [64, 1024]);

const max = new MaxCalibrator();
const histogram = new HistogramCalibrator(); // 2048 bins, 8-bit signed
for (let b = 0; b < 3; b++) {
  const x = batch();
  max.collect(x);
  histogram.collect(x);
}
console.log('max        ', max.computeAmax()!.data[0]);
console.log('entropy    ', histogram.computeAmax('entropy'));
console.log('mse        ', histogram.computeAmax('mse'));
console.log('percentile ', histogram.computeAmax('percentile', { percentile: 99.99 }));
console.log('bins       ', histogram.histogram!.counts.length);
