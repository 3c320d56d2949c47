// MaxCalibrator: the running elementwise max of per-batch amax (the reference's MaxCalibrator).
import {
  blockAxes, checkAxisOption, checkBlockSizesOption, checkNumBits, checkOptions, formatShape, jsKernels, normalizeAxes, reduceBlockAmax, sameShape,
  type BlockSizesOption, type NDArray, type QuantKernels,
} from '@pq/core';
import { checkBatch, refuseNonFinite } from './input-checks.js';

export interface MaxCalibratorOptions {
  numBits?: number;
  /** The axes that keep their own amax (e.g. 0 for per-output-channel weights); null: per tensor. */
  axis?: number | readonly number[] | null;
  /** One amax per block instead (`{ [-1]: 128 }`, as @pq/core's reduceBlockAmax); not with axis. */
  blockSizes?: BlockSizesOption | null;
  unsigned?: boolean;
  /** Keep every batch's own amax in `amaxs`. */
  trackAmax?: boolean;
  kernels?: QuantKernels;
}

const WHO = 'MaxCalibrator';
const OPTIONS = { numBits: 'integer', axis: 'any', blockSizes: 'any', unsigned: 'boolean', trackAmax: 'boolean', kernels: 'object' } as const;

function copy(a: NDArray): NDArray {
  return { data: a.data.slice(), shape: [...a.shape] };
}

export class MaxCalibrator {
  readonly numBits: number;
  readonly axis: number | readonly number[] | null;
  readonly blockSizes: BlockSizesOption | null;
  readonly unsigned: boolean;
  readonly trackAmax: boolean;
  readonly kernels: QuantKernels;
  #amax: NDArray | null = null;
  #amaxs: NDArray[] = [];

  constructor(o: MaxCalibratorOptions = {}) {
    checkOptions(WHO, o, OPTIONS);
    this.unsigned = o.unsigned ?? false;
    this.numBits = o.numBits ?? 8;
    checkNumBits(this.numBits, this.unsigned, WHO);
    this.axis = checkAxisOption(o.axis, WHO);
    this.blockSizes = checkBlockSizesOption(o.blockSizes, WHO);
    if (this.blockSizes !== null && this.axis !== null) throw new TypeError(`${WHO}: axis and blockSizes cannot both be set`);
    this.trackAmax = o.trackAmax ?? false;
    this.kernels = o.kernels ?? jsKernels;
  }

  /** Every batch's own amax, oldest first (only with `trackAmax`). */
  get amaxs(): NDArray[] {
    return this.#amaxs.map(copy);
  }

  /** Folds `max(|x|)` over every axis not in `axis` (or over each block) into the running amax. */
  collect(x: NDArray): void {
    checkBatch(x, WHO);
    if (this.unsigned) {
      const d = x.data;
      for (let i = 0; i < d.length; i++) {
        if (d[i]! < 0) {
          throw new RangeError(`${WHO}.collect: negative value ${d[i]!} (at index ${i}) with unsigned quantization`);
        }
      }
    }
    const local = this.blockSizes !== null ? reduceBlockAmax(x, blockAxes(this.blockSizes)) : this.reduceAxes(x);
    refuseNonFinite(x, local.data, WHO);
    if (this.#amax === null) {
      this.#amax = copy(local);
    } else {
      if (!sameShape(local.shape, this.#amax.shape)) {
        throw new RangeError(
          `${WHO}.collect: amax shape changed from ${formatShape(this.#amax.shape)} to ${formatShape(local.shape)} ` +
            `(x shape ${formatShape(x.shape)}); every batch must give the same amax shape`,
        );
      }
      const run = this.#amax.data;
      const d = local.data;
      for (let i = 0; i < run.length; i++) if (d[i]! > run[i]!) run[i] = d[i]!;
    }
    if (this.trackAmax) this.#amaxs.push(copy(local));
  }

  private reduceAxes(x: NDArray): NDArray {
    const rank = x.shape.length;
    const keep = this.axis === null ? [] : normalizeAxes(this.axis, rank);
    const reduce: number[] = [];
    for (let i = 0; i < rank; i++) if (!keep.includes(i)) reduce.push(i);
    return this.kernels.reduceAmax(x, reduce, true);
  }

  /** The running amax, or null before any collect. */
  computeAmax(): NDArray | null {
    return this.#amax === null ? null : copy(this.#amax);
  }

  /** Forgets everything collected (the running amax and `amaxs`). */
  reset(): void {
    this.#amax = null;
    this.#amaxs = [];
  }

  toString(): string {
    return `MaxCalibrator(numBits=${this.numBits}, axis=${JSON.stringify(this.axis)}, unsigned=${this.unsigned}, trackAmax=${this.trackAmax})`;
  }
}
