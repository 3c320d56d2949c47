// What every phase of the flow reads: a training and a validation set of labelled images that
// give normalised float32 NCHW batches on demand, and where they came from.
import { permutation, mulberry32 } from '@pq/app-kit';
import { IMAGENET_MEAN, IMAGENET_STD } from '@pq/vision';

/** A batch: `count` images as float32 [count, 3, size, size], and their labels. */
export interface Batch {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
  readonly size: number;
}

export interface ImageSet {
  readonly count: number;
  readonly labels: Int32Array;
  /**
   * The samples at `indices`, transformed and normalised. `train` applies the training
   * transform (random crop and flip for image folders; the embedded digits have none).
   */
  batch(indices: ArrayLike<number>, train: boolean): Batch;
}

export interface ClassifyData {
  /** Where the images came from, e.g. "mnist package" or "image folder /data/imagenette". */
  readonly source: string;
  readonly classes: readonly string[];
  /** Side of the square images the model gets. */
  readonly imageSize: number;
  readonly train: ImageSet;
  readonly val: ImageSet;
}

/** The normalisation of every batch: ImageNet's unless --mean / --std say otherwise. */
export interface Normalisation {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export function normalisation(mean: readonly number[] | null, std: readonly number[] | null): Normalisation {
  return { mean: mean ?? IMAGENET_MEAN, std: std ?? IMAGENET_STD };
}

/** Consecutive index ranges [0, n) in batches of `size` (the last may be short). */
export function* batchRanges(n: number, size: number): Generator<Int32Array> {
  for (let start = 0; start < n; start += size) yield Int32Array.from({ length: Math.min(size, n - start) }, (_, i) => start + i);
}

/**
 * A seeded random subset of `limit` of `count` indices, kept in their original order (so a
 * limited split still runs class by class, as the whole one does); all of them when `limit` is
 * null or not smaller.
 */
export function subsetIndices(count: number, limit: number | null, seed: number): Int32Array {
  if (limit === null || limit >= count) return Int32Array.from({ length: count }, (_, i) => i);
  return permutation(count, mulberry32(seed)).subarray(0, limit).sort();
}

/**
 * An ImageSet of `labels.length` images; `fill(i, train, out, offset)` writes image i's
 * normalised CHW values into the batch at `offset`.
 */
export function imageSet(
  labels: Int32Array,
  size: number,
  fill: (i: number, train: boolean, out: Float32Array, offset: number) => void,
): ImageSet {
  return {
    count: labels.length,
    labels,
    batch(indices, train) {
      const plane = 3 * size * size;
      const out = new Float32Array(indices.length * plane);
      const lab = new Int32Array(indices.length);
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k]!;
        if (!(i >= 0 && i < labels.length)) throw new Error(`batch: index ${i} outside [0, ${labels.length})`);
        fill(i, train, out, k * plane);
        lab[k] = labels[i]!;
      }
      return { images: out, labels: lab, count: indices.length, size };
    },
  };
}

/** The subset `indices` of `set`, renumbered from 0. */
export function subsetOf(set: ImageSet, indices: Int32Array): ImageSet {
  if (indices.length === set.count) return set;
  return {
    count: indices.length,
    labels: Int32Array.from(indices, (i) => set.labels[i]!),
    batch: (idx, train) => set.batch(Int32Array.from(idx, (k) => indices[k]!), train),
  };
}
