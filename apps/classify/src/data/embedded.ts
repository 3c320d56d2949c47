// The default data, which needs no download: the `mnist` package's 10,000 digits (split 8,004 /
// 1,996 as in apps/lenet, by @pq/app-kit), each a 28x28 grey image (the package's values are
// x/255 rounded to 3 decimals; round(v * 255) gives x back) made RGB as PIL's convert('RGB')
// and resized to --image-size with torchvision's Resize, then normalised per batch.
import { MNIST_PIXELS, MNIST_SIZE, type MnistDigits, splitMnistDigits } from '@pq/app-kit';
import { readMnistPackageDigits } from '@pq/app-kit/node';
import { type RgbImage, resize, toNormalizedTensor } from '@pq/vision';
import { type ClassifyData, type ImageSet, type Normalisation, imageSet } from './dataset.js';

export const DIGIT_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** One digit (784 values in [0, 1]) as an RGB image of side `size`. */
export function digitImage(pixels: ArrayLike<number>, size: number): RgbImage {
  const data = new Uint8Array(MNIST_PIXELS * 3);
  for (let p = 0; p < MNIST_PIXELS; p++) data.fill(Math.round(pixels[p]! * 255), 3 * p, 3 * p + 3);
  const img = { width: MNIST_SIZE, height: MNIST_SIZE, data };
  return size === MNIST_SIZE ? img : resize(img, [size, size]);
}

function digitSet(split: MnistDigits, size: number, norm: Normalisation): ImageSet {
  const images = Array.from({ length: split.count }, (_, i) => digitImage(split.pixels.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), size));
  return imageSet(split.labels, size, (i, _train, out, offset) => void toNormalizedTensor(images[i]!, norm.mean, norm.std, out, offset));
}

/** The embedded digits as `size` x `size` RGB images, normalised with `norm`. */
export function embeddedDigits(size: number, norm: Normalisation, digits = readMnistPackageDigits()): ClassifyData {
  const { train, test } = splitMnistDigits(digits);
  return { source: 'mnist package', classes: DIGIT_CLASSES, imageSize: size, train: digitSet(train, size, norm), val: digitSet(test, size, norm) };
}
