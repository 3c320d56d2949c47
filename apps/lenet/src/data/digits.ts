// The embedded digits' train/test split (@pq/app-kit's splitMnistDigits: digit by digit, sample j
// of a digit file to test when j % 5 == 4), normalised as LeNet expects; the digit arrays come
// from the `mnist` package's JSON files on Node, from fetched assets in a browser.
import { splitMnistDigits } from '@pq/app-kit';
import { type MnistData, makeSplit } from './dataset.js';

/** The split of `digits` (raw pixel arrays of digits 0..9), normalised: 8,004 / 1,996 for the package's files. */
export function splitDigits(digits: readonly (readonly number[])[]): Omit<MnistData, 'source'> {
  const { train, test } = splitMnistDigits(digits);
  return { train: makeSplit(train.pixels, train.labels), test: makeSplit(test.pixels, test.labels) };
}
