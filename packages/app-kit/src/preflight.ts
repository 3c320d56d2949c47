// Checks the apps make before any training, so that a run which cannot give a meaningful result
// stops at once, naming the option or file and the problem.
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './args.js';

/** Refuses a --json (or other output file) path that is a folder or lies under a file. */
export function checkJsonPath(json: string | null, option = 'json'): void {
  if (json === null) return;
  if (existsSync(json) && statSync(json).isDirectory()) throw new UsageError(`--${option} ${json} is a folder; give a file name`);
  const parent = dirname(json);
  if (existsSync(parent) && !statSync(parent).isDirectory()) throw new UsageError(`--${option} ${json}: ${parent} is a file, not a folder`);
}

/** A state-dict entry as the checks read it. */
export interface FloatTensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** Refuses weights with NaN or ±Infinity, naming the tensor, the count and the first one. */
export function checkFiniteWeights(dict: Readonly<Record<string, FloatTensor>>, file: string): void {
  for (const [name, t] of Object.entries(dict)) {
    let bad = 0;
    let first = -1;
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i]!)) {
        bad++;
        if (first < 0) first = i;
      }
    }
    if (bad > 0) {
      throw new Error(
        `--weights ${file}: ${name} has ${bad} non-finite value${bad === 1 ? '' : 's'} of ${t.data.length} ` +
          `(${t.data[first]} at index ${first}); training and calibration need finite weights`,
      );
    }
  }
}
