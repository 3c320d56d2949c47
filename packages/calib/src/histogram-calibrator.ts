// HistogramCalibrator: a histogram of |x| over a range that grows with the data, and the three
// ways to pick amax from it (the reference's HistogramCalibrator, torch_hist path).
import { checkNumBits, checkOptions, describeValue, isNumberArray, jsKernels, type NDArray, type QuantKernels } from '@pq/core';
import { computeAmaxEntropy } from './entropy.js';
import { checkBatch, refuseNonFinite } from './input-checks.js';
import { computeAmaxMse } from './mse.js';
import type { MseNumBits } from './mse-exact.js';
import { computeAmaxPercentile, checkPercentile } from './percentile.js';
import { arangeF32, linspaceF32 } from './torch-ranges.js';

export interface HistogramCalibratorOptions {
  numBits?: MseNumBits;
  unsigned?: boolean;
  numBins?: number;
  /** Drop exact zeros before binning. */
  skipZeros?: boolean;
  /** Must be null: histograms are per tensor (present so that an axis is refused, not ignored). */
  axis?: number | readonly number[] | null;
  kernels?: QuantKernels;
}

export type HistogramMethod = 'entropy' | 'mse' | 'percentile';

export interface ComputeAmaxOptions {
  stride?: number;
  startBin?: number;
  percentile?: number;
}

const WHO = 'HistogramCalibrator';
const OPTIONS = { numBits: 'any', unsigned: 'boolean', numBins: 'integer', skipZeros: 'boolean', axis: 'any', kernels: 'object' } as const;
const COMPUTE_OPTIONS = { stride: 'integer', startBin: 'integer', percentile: 'number' } as const;
const METHODS: readonly string[] = ['entropy', 'mse', 'percentile'];
// Growth keeps the bin width, so a batch far wider than the first one asks for a huge histogram
// (the reference allocates it and runs out of memory); 2^24 bins (128 MiB of counts) is the cap.
const MAX_GROWN_BINS = 2 ** 24;

export class HistogramCalibrator {
  readonly numBits: MseNumBits;
  readonly unsigned: boolean;
  readonly numBins: number;
  readonly skipZeros: boolean;
  readonly kernels: QuantKernels;
  #counts: Float64Array | null = null;
  #edges: Float32Array | null = null;
  /** Bins of the next batch's histogram (grows with the range, like the reference's _num_bins). */
  #bins: number;
  /**
   * Values seen before any range exists that belong in bin 0 of the first real histogram: the
   * zeros of all-zero batches, and batches too small to bin (see collect).
   */
  #pendingBin0 = 0;

  constructor(o: HistogramCalibratorOptions = {}) {
    checkOptions(WHO, o, OPTIONS);
    if (o.axis !== undefined && o.axis !== null) {
      throw new RangeError(`${WHO}: histograms are per tensor; axis must be null, got ${describeValue(o.axis)}`);
    }
    this.numBits = o.numBits ?? 8;
    this.unsigned = o.unsigned ?? false;
    if (typeof this.numBits === 'number') checkNumBits(this.numBits, this.unsigned, WHO);
    else if (!(isNumberArray(this.numBits) && this.numBits[0] === 4 && this.numBits[1] === 3 && this.numBits.length === 2)) {
      throw new TypeError(`${WHO}: numBits must be an integer or [4, 3] (E4M3), got ${describeValue(this.numBits)}`);
    }
    this.numBins = o.numBins ?? 2048;
    if (!Number.isInteger(this.numBins) || this.numBins < 1) {
      throw new RangeError(`${WHO}: numBins must be a positive integer, got ${String(this.numBins)}`);
    }
    this.skipZeros = o.skipZeros ?? false;
    this.kernels = o.kernels ?? jsKernels;
    this.#bins = this.numBins;
  }

  /** The collected histogram (a copy): counts per bin and the bin edges; null before any data. */
  get histogram(): { counts: Float64Array; edges: Float32Array } | null {
    if (this.#counts === null || this.#edges === null) return null;
    return { counts: this.#counts.slice(), edges: this.#edges.slice() };
  }

  /** Adds |x| to the histogram, growing its range (same bin width) when x exceeds it. */
  collect(x: NDArray): void {
    checkBatch(x, WHO);
    const amax = this.kernels.reduceAmax(x, null, false).data;
    refuseNonFinite(x, amax, WHO);
    const max = amax[0]!;
    if (max === 0) {
      // All zeros. Before any range exists the reference would build a [-1, 1] histogram (and
      // fail on the next batch); pq keeps their count for bin 0 of the first real histogram.
      if (this.skipZeros) return;
      if (this.#counts === null) {
        this.#pendingBin0 += x.data.length;
        return;
      }
    }
    const opts = { skipZeros: this.skipZeros };
    if (this.#counts === null || this.#edges === null) {
      const edges = linspaceF32(max, this.#bins + 1);
      if (edges[1] === 0) {
        // numBins bins over [0, max] are narrower than the smallest float32 (max below about
        // numBins * 1.4e-45): the reference's edges would all be 0 or max and no later batch could
        // grow the range. Every such value lies in bin 0 of any histogram a real range gives, so
        // it waits there, as zeros do.
        this.#pendingBin0 += this.skipZeros ? countNonZero(x.data) : x.data.length;
        return;
      }
      const counts = this.kernels.histogram(x, this.#bins, max, opts);
      counts[0] = counts[0]! + this.#pendingBin0;
      this.#pendingBin0 = 0;
      this.#counts = counts;
      this.#edges = edges;
      return;
    }
    let edges = this.#edges;
    if (max > edges[edges.length - 1]!) {
      // Same bin width, more bins: torch.arange(0, max + width, width) (which can yield one edge
      // more than bins + 1, as in the reference).
      const width = Math.fround(edges[1]! - edges[0]!);
      const bins = Math.ceil(Math.fround(max / width));
      if (bins > MAX_GROWN_BINS) {
        // In float64, so that a count beyond float32's range prints as a number.
        const needed = Math.ceil(max / width);
        throw new RangeError(
          `${WHO}.collect: max |x| = ${max} would grow the histogram (bin width ${width}) to ` +
            `${Number.isSafeInteger(needed) ? needed : needed.toPrecision(2)} bins, ` +
            `more than ${MAX_GROWN_BINS}; the batch was refused (reset, or calibrate on batches of similar range)`,
        );
      }
      this.#bins = bins;
      edges = arangeF32(Math.fround(max + width), width);
    }
    const counts = this.kernels.histogram(x, this.#bins, edges[edges.length - 1]!, opts);
    const old = this.#counts;
    for (let j = 0; j < old.length; j++) counts[j] = counts[j]! + old[j]!;
    this.#counts = counts;
    this.#edges = edges;
  }

  /**
   * amax by `method` from the histogram collected so far; null before any collect (0 when only
   * batches of zeros, or of values too small to bin, were collected). Defaults: stride 1,
   * startBin 128, percentile 99.99.
   */
  computeAmax(method: HistogramMethod, o: ComputeAmaxOptions = {}): number | null {
    if (!METHODS.includes(method)) {
      throw new TypeError(`${WHO}.computeAmax: unknown method ${JSON.stringify(method)} (expected ${METHODS.join(', ')})`);
    }
    checkOptions(`${WHO}.computeAmax`, o, COMPUTE_OPTIONS);
    const percentile = o.percentile ?? 99.99;
    if (method === 'percentile') checkPercentile(percentile);
    if (this.#counts === null || this.#edges === null) return this.#pendingBin0 > 0 ? 0 : null;
    const { stride, startBin } = o;
    const counts = this.#counts;
    const edges = this.#edges;
    switch (method) {
      case 'entropy':
        if (typeof this.numBits !== 'number') {
          throw new TypeError(`${WHO}.computeAmax: the entropy method needs an integer numBits, not E4M3`);
        }
        return computeAmaxEntropy(counts, edges, { numBits: this.numBits, unsigned: this.unsigned, stride, startBin });
      case 'mse':
        return computeAmaxMse(counts, edges, { numBits: this.numBits, unsigned: this.unsigned, stride, startBin });
      default:
        return computeAmaxPercentile(counts, edges, percentile);
    }
  }

  /** Forgets the histogram; the next collect starts from scratch with `numBins` bins. */
  reset(): void {
    this.#counts = null;
    this.#edges = null;
    this.#bins = this.numBins;
    this.#pendingBin0 = 0;
  }

  toString(): string {
    return `HistogramCalibrator(numBits=${JSON.stringify(this.numBits)}, unsigned=${this.unsigned}, numBins=${this.numBins}, skipZeros=${this.skipZeros})`;
  }
}

function countNonZero(d: Float32Array): number {
  let n = 0;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) n++;
  return n;
}
