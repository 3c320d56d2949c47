// The in-memory dataset every phase of the demo reads: normalised NCHW pixels plus labels.

/** MNIST images are 1 x 28 x 28. */
export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/** torchvision's MNIST normalisation constants, as float32 (Normalize casts them to x's dtype). */
export const MNIST_MEAN = Math.fround(0.1307);
export const MNIST_STD = Math.fround(0.3081);

/** One split: `images` holds `count * 784` normalised float32 pixels, row-major [N, 1, 28, 28]. */
export interface Split {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

export interface MnistData {
  /** Where the digits came from, e.g. "mnist package" or "IDX files in /data/mnist". */
  readonly source: string;
  readonly train: Split;
  readonly test: Split;
}

/**
 * `(x - mean) / std` in float32, the two ops torchvision's Normalize does after ToTensor,
 * each rounded to float32 as PyTorch does.
 */
export function normalisePixel(x: number): number {
  return Math.fround(Math.fround(Math.fround(x) - MNIST_MEAN) / MNIST_STD);
}

/** A split of `count` samples with pixels in [0, 1] already placed; normalises in place. */
export function makeSplit(rawPixels: Float32Array, labels: Int32Array): Split {
  const count = labels.length;
  if (rawPixels.length !== count * PIXELS) {
    throw new Error(`split: ${rawPixels.length} pixels for ${count} labels (expected ${count * PIXELS})`);
  }
  for (let i = 0; i < rawPixels.length; i++) rawPixels[i] = normalisePixel(rawPixels[i]!);
  return { images: rawPixels, labels, count };
}

/** The samples at `indices`, in that order, copied into a new split (a batch or a subset). */
export function gather(split: Split, indices: ArrayLike<number>): Split {
  const n = indices.length;
  const images = new Float32Array(n * PIXELS);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    if (!(i >= 0 && i < split.count)) throw new Error(`gather: index ${i} outside [0, ${split.count})`);
    images.set(split.images.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS);
    labels[k] = split.labels[i]!;
  }
  return { images, labels, count: n };
}

/** The first `n` samples (or all of them when the split is smaller). */
export function head(split: Split, n: number): Split {
  const m = Math.min(n, split.count);
  return { images: split.images.subarray(0, m * PIXELS), labels: split.labels.subarray(0, m), count: m };
}

/** Calibration batches are always 64 samples, in order (histogram ranges depend on batch boundaries). */
export const CALIB_BATCH = 64;

/**
 * The calibration subset: every `every`-th training sample in split order, counted from 1
 * (indices every-1, 2*every-1, ...): 500 of the 8,004 embedded training samples for every = 16.
 */
export function calibrationIndices(trainCount: number, every: number): Int32Array {
  if (!Number.isInteger(every) || every < 1) throw new Error(`calibration: every must be an integer >= 1, got ${every}`);
  const out = new Int32Array(Math.floor(trainCount / every));
  for (let k = 0; k < out.length; k++) out[k] = (k + 1) * every - 1;
  return out;
}

/** Consecutive batches of `batchSize` over `split` in order (the last one may be short). */
export function* batchesInOrder(split: Split, batchSize: number): Generator<Split> {
  for (let start = 0; start < split.count; start += batchSize) {
    const end = Math.min(split.count, start + batchSize);
    yield {
      images: split.images.subarray(start * PIXELS, end * PIXELS),
      labels: split.labels.subarray(start, end),
      count: end - start,
    };
  }
}
