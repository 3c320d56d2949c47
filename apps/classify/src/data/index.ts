// The data of a run: the embedded digits or --data's image folder, limited to --train-limit /
// --val-limit images (seeded subsets).
import type { ClassifyOptions } from '../args.js';
import { type ClassifyData, normalisation, subsetIndices, subsetOf } from './dataset.js';
import { embeddedDigits } from './embedded.js';
import { folderData } from './folder.js';

export * from './dataset.js';
export { embeddedDigits, digitImage, DIGIT_CLASSES } from './embedded.js';
export { folderData } from './folder.js';

export function loadData(o: Pick<ClassifyOptions, 'data' | 'imageSize' | 'resizeSize' | 'mean' | 'std' | 'trainLimit' | 'valLimit' | 'seed'>): ClassifyData {
  const norm = normalisation(o.mean, o.std);
  const data = o.data === null
    ? embeddedDigits(o.imageSize, norm)
    : folderData(o.data, { imageSize: o.imageSize, resizeSize: o.resizeSize, norm, seed: o.seed });
  return limitData(data, o.trainLimit, o.valLimit, o.seed);
}

/** `data` with seeded random subsets of at most `trainLimit` / `valLimit` images. */
export function limitData(data: ClassifyData, trainLimit: number | null, valLimit: number | null, seed: number): ClassifyData {
  const train = subsetOf(data.train, subsetIndices(data.train.count, trainLimit, seed));
  const val = subsetOf(data.val, subsetIndices(data.val.count, valLimit, seed + 1));
  return { ...data, train, val };
}
