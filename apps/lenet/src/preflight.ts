// Checks made before any training, so that a run which cannot give a meaningful result stops
// at once, naming the option or file and the problem.
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './args.js';
import type { MnistData } from './data/dataset.js';
import type { StateDict } from './model.js';

/** Refuses empty splits and a calibration subset of no samples. */
export function checkData(data: MnistData, calibEvery: number): void {
  if (data.train.count === 0) throw new Error(`${data.source}: the training split is empty; training and calibration need samples`);
  if (data.test.count === 0) throw new Error(`${data.source}: the test split is empty; there is nothing to evaluate on`);
  if (Math.floor(data.train.count / calibEvery) === 0) {
    throw new UsageError(
      `--calib-every ${calibEvery} selects no calibration sample from ${data.train.count.toLocaleString('en-US')} training samples; ` +
        `use --calib-every ${data.train.count} or less`,
    );
  }
}

/** Refuses a --json path that is a folder or lies under a file. */
export function checkJsonPath(json: string | null): void {
  if (json === null) return;
  if (existsSync(json) && statSync(json).isDirectory()) throw new UsageError(`--json ${json} is a folder; give a file name`);
  const parent = dirname(json);
  if (existsSync(parent) && !statSync(parent).isDirectory()) throw new UsageError(`--json ${json}: ${parent} is a file, not a folder`);
}

/** Refuses weights with NaN or ±Infinity, naming the tensor, the count and the first one. */
export function checkFiniteWeights(dict: StateDict, file: string): void {
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
