// The embedded digits' train/test split, from the digit arrays however they were read (the
// `mnist` package's JSON files on Node, fetched assets in a browser).
import { type MnistData, PIXELS, makeSplit } from './dataset.js';

/** The pixels of one parsed digit file (`{ data: [...] }`, a multiple of 784 values); `where` names it in errors. */
export function digitFilePixels(parsed: unknown, where: string): number[] {
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length % PIXELS !== 0) {
    throw new Error(`${where}: expected { data: [...] } with a multiple of ${PIXELS} pixels`);
  }
  return data as number[];
}

/** Which samples of a digit file are test samples: j % 5 == 4 (the reference's split). */
export function isTestSample(j: number): boolean {
  return j % 5 === 4;
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
