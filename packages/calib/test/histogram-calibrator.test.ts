import { jsKernels, ndarray, type QuantKernels } from '@pq/core';
import { describe, expect, it } from 'vitest';
import { HistogramCalibrator } from '../src/index.js';
import { computeAmaxEntropy, computeAmaxMse, computeAmaxPercentile } from '../src/index.js';

const batch = (values: number[]) => ndarray(values);

describe('HistogramCalibrator', () => {
  it('returns null from computeAmax and histogram before any collect', () => {
    const cal = new HistogramCalibrator();
    expect(cal.histogram).toBeNull();
    for (const m of ['entropy', 'mse', 'percentile'] as const) expect(cal.computeAmax(m)).toBeNull();
  });

  it('bins |x| over [0, max] on the first batch', () => {
    const cal = new HistogramCalibrator({ numBins: 4 });
    cal.collect(batch([-4, 0, 1, 1.5, 3.99, 2]));
    const h = cal.histogram!;
    expect(Array.from(h.edges)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(h.counts)).toEqual([1, 2, 1, 2]);
  });

  it('grows the range with the same bin width and adds the old counts into the first bins', () => {
    const cal = new HistogramCalibrator({ numBins: 4 });
    cal.collect(batch([0.5, 4]));
    cal.collect(batch([5.5, 1.5]));
    const h = cal.histogram!;
    expect(Array.from(h.edges)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(h.counts)).toEqual([1, 1, 0, 1, 0, 1]);
    // A batch inside the range is binned over the current range.
    cal.collect(batch([2.5]));
    expect(Array.from(cal.histogram!.counts)).toEqual([1, 1, 1, 1, 0, 1]);
  });

  it('ends the first range exactly at max(|x|) (torch.linspace counts down from the end)', () => {
    const cal = new HistogramCalibrator({ numBins: 2048 });
    cal.collect(batch([0.1, -3.3, 2.7]));
    const { edges } = cal.histogram!;
    expect(edges.length).toBe(2049);
    expect(edges[2048]).toBe(Math.fround(3.3));
    for (let j = 1; j < edges.length; j++) expect(edges[j]!).toBeGreaterThan(edges[j - 1]!);
  });

  it('keeps the reference\'s extra edge when arange overshoots, and every method still works', () => {
    // ceil(fround(m / w)) = 9 bins, but arange(0, fround(m + w), w) yields 11 edges.
    const cal = new HistogramCalibrator({ numBins: 4 });
    cal.collect(batch([1.1027780771255493, 0.5]));
    cal.collect(batch([2.481250762939453, 1]));
    const h = cal.histogram!;
    expect(h.counts.length).toBe(9);
    expect(h.edges.length).toBe(11);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(cal.computeAmax('mse', { startBin: 2 })).toBeGreaterThan(0);
    expect(cal.computeAmax('entropy', { startBin: 2, stride: 3 })).toBeGreaterThan(0);
    // The cdf reaches exactly 1 at the last non-empty bin (8 of 9): its left edge.
    expect(cal.computeAmax('percentile', { percentile: 100 })).toBe(h.edges[8]);
  });

  it('skipZeros drops exact zeros', () => {
    const cal = new HistogramCalibrator({ numBins: 2, skipZeros: true });
    cal.collect(batch([0, 0, 0, 0.5, 2]));
    expect(Array.from(cal.histogram!.counts)).toEqual([1, 1]);
  });

  it('computes the three methods from its histogram like the standalone functions', () => {
    const cal = new HistogramCalibrator({ numBins: 512 });
    const x = Float32Array.from({ length: 20_000 }, (_, i) => Math.abs(Math.sin(i * 12.9898) * 3) ** 2);
    cal.collect(ndarray(x));
    const { counts, edges } = cal.histogram!;
    expect(cal.computeAmax('entropy')).toBe(computeAmaxEntropy(counts, edges));
    expect(cal.computeAmax('mse', { stride: 2 })).toBe(computeAmaxMse(counts, edges, { stride: 2 }));
    expect(cal.computeAmax('percentile')).toBe(computeAmaxPercentile(counts, edges, 99.99));
    expect(cal.computeAmax('percentile', { percentile: 50 })).toBe(computeAmaxPercentile(counts, edges, 50));
  });

  it('survives an all-zero first batch: its zeros land in bin 0 of the first real histogram', () => {
    const cal = new HistogramCalibrator({ numBins: 4 });
    cal.collect(batch([0, 0, 0]));
    expect(cal.histogram).toBeNull();
    expect(cal.computeAmax('percentile')).toBe(0);
    cal.collect(batch([1, 4]));
    expect(Array.from(cal.histogram!.counts)).toEqual([3, 1, 0, 1]);
    cal.collect(batch([0, 0]));
    expect(Array.from(cal.histogram!.counts)).toEqual([5, 1, 0, 1]);
    cal.collect(batch([8]));
    expect(Array.from(cal.histogram!.edges)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(cal.histogram!.counts)).toEqual([5, 1, 0, 1, 0, 0, 0, 1]);
    expect(cal.computeAmax('percentile', { percentile: 50 })).toBe(0);
  });

  it('puts a first batch too small to bin (2048 bins over [0, 1e-44] are 0 wide in float32) into bin 0, like zeros', () => {
    const cal = new HistogramCalibrator();
    cal.collect(batch([1e-44, 0, 5e-45]));
    expect(cal.histogram).toBeNull();
    expect(cal.computeAmax('entropy')).toBe(0);
    cal.collect(batch([0.5, 1]));
    // Exactly what three zeros and then the same batch give: the tiny values lie in bin 0.
    const ref = new HistogramCalibrator();
    ref.collect(batch([0, 0, 0]));
    ref.collect(batch([0.5, 1]));
    expect(cal.histogram).toEqual(ref.histogram);
    expect(cal.histogram!.edges[1]).toBe(Math.fround(1 / 2048));
    cal.collect(batch([3]));
    expect(cal.histogram!.counts.length).toBe(3 * 2048);
    expect(cal.computeAmax('percentile', { percentile: 50 })).toBe(ref.computeAmax('percentile', { percentile: 50 }));
    // With skipZeros only the zeros are dropped.
    const nz = new HistogramCalibrator({ skipZeros: true });
    nz.collect(batch([1e-44, 0]));
    nz.collect(batch([4]));
    const counts = nz.histogram!.counts;
    expect([counts[0], counts[2047], counts.reduce((a, b) => a + b)]).toEqual([1, 1, 2]);
    // A first batch whose bins are merely tiny sets the range, as in the reference; growing it
    // to a normal range would take more bins than exist, and says so in numbers.
    const tiny = new HistogramCalibrator({ numBins: 4 });
    tiny.collect(batch([1e-44]));
    expect(() => tiny.collect(batch([4]))).toThrow(/would grow the histogram \(bin width 2\.8\d*e-45\) to 1\.4e\+45 bins, more than 16777216/);
  });

  it('refuses NaN and ±Infinity with the count, leaving the histogram as it was', () => {
    const cal = new HistogramCalibrator({ numBins: 4 });
    cal.collect(batch([1, 2]));
    const before = cal.histogram;
    expect(() => cal.collect(batch([1, NaN, Infinity, -Infinity, 3]))).toThrow(
      /HistogramCalibrator\.collect: x has 3 non-finite values \(NaN or ±Infinity\) among 5/,
    );
    expect(() => cal.collect(batch([NaN]))).toThrow(/has 1 non-finite value \(/);
    expect(cal.histogram).toEqual(before);
  });

  it('refuses empty input, an axis, bad options, unknown methods, bad percentiles and startBins', () => {
    const cal = new HistogramCalibrator({ numBins: 256 });
    expect(() => cal.collect(ndarray([], [0, 3]))).toThrow(/x is empty \(shape \[0, 3\]\)/);
    expect(() => new HistogramCalibrator({ axis: 0 })).toThrow(/histograms are per tensor; axis must be null, got 0/);
    expect(() => new HistogramCalibrator({ axis: [1] })).toThrow(/axis must be null/);
    expect(() => new HistogramCalibrator({ numBins: 0 })).toThrow(/numBins must be a positive integer/);
    expect(() => new HistogramCalibrator({ numBits: [5, 2] as unknown as [4, 3] })).toThrow(/integer or \[4, 3\]/);
    expect(() => new HistogramCalibrator({ bins: 3 } as object)).toThrow(/unknown option 'bins'/);
    expect(() => new HistogramCalibrator({ numBits: 99 })).toThrow('HistogramCalibrator: numBits must be an integer in 2..16');
    expect(() => new HistogramCalibrator({ skipZeros: 1 } as never)).toThrow("HistogramCalibrator: option 'skipZeros' must be a boolean, got 1");
    expect(() => new HistogramCalibrator({ num_bins: 8 } as never)).toThrow(/unknown option 'num_bins'; did you mean 'numBins'/);
    expect(() => cal.computeAmax('mse', { startBin: '1' } as never)).toThrow("HistogramCalibrator.computeAmax: option 'startBin' must be an integer, got string '1'");
    // Errors come before "nothing collected" too.
    expect(() => cal.computeAmax('kl' as 'entropy')).toThrow(/unknown method "kl" \(expected entropy, mse, percentile\)/);
    expect(() => cal.computeAmax('percentile', { percentile: 100.5 })).toThrow(/percentile must be a number in \[0, 100\], got 100.5/);
    expect(() => cal.computeAmax('percentile', { percentile: -1 })).toThrow(/got -1/);
    expect(() => cal.computeAmax('mse', { strid: 2 } as object)).toThrow(/unknown option 'strid'/);
    cal.collect(ndarray(Float32Array.from({ length: 1000 }, (_, i) => i / 100)));
    expect(() => cal.computeAmax('entropy', { startBin: 300 })).toThrow(/startBin 300 is beyond the histogram's 256 bins/);
    expect(() => cal.computeAmax('mse', { startBin: 256 })).toThrow(/startBin 256 is beyond/);
    expect(new HistogramCalibrator({ numBits: [4, 3] }).numBits).toEqual([4, 3]);
  });

  it('refuses a batch that would grow the histogram beyond 2^24 bins, keeping the histogram', () => {
    const cal = new HistogramCalibrator({ numBins: 4 });
    cal.collect(batch([1e-6]));
    const before = cal.histogram;
    expect(() => cal.collect(batch([1e6]))).toThrow(/would grow the histogram \(bin width 2\.49.*\) to \d+ bins, more than 16777216/);
    expect(cal.histogram).toEqual(before);
  });

  it('starts from scratch after reset', () => {
    const cal = new HistogramCalibrator({ numBins: 4 });
    cal.collect(batch([4]));
    cal.collect(batch([8]));
    cal.reset();
    expect(cal.histogram).toBeNull();
    expect(cal.computeAmax('percentile')).toBeNull();
    cal.collect(batch([2, 1]));
    expect(Array.from(cal.histogram!.edges)).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(Array.from(cal.histogram!.counts)).toEqual([0, 0, 1, 1]);
  });

  it('uses the kernels it is given', () => {
    const calls: string[] = [];
    const kernels: QuantKernels = {
      ...jsKernels,
      name: 'spy',
      histogram: (...a) => (calls.push('histogram'), jsKernels.histogram(...a)),
      reduceAmax: (...a) => (calls.push('reduceAmax'), jsKernels.reduceAmax(...a)),
    };
    const cal = new HistogramCalibrator({ kernels });
    cal.collect(batch([1, 2, 3]));
    expect(calls).toEqual(['reduceAmax', 'histogram']);
  });
});
