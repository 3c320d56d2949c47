// Checks made before any training, so that a run which cannot give a meaningful result stops
// at once, naming the option or file and the problem.
// (The checks on --json and on the weights' values are @pq/app-kit's checkJsonPath and
// checkFiniteWeights.)
import { UsageError } from '@pq/app-kit';
import type { MnistData } from './data/dataset.js';

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
