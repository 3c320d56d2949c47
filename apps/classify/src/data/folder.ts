// --data DIR: an image folder in torchvision's ImageFolder layout, DIR/train/<class>/... and
// DIR/val/<class>/..., read with @pq/vision: each batch decodes its files and applies
// torchvision's classification presets (training: RandomResizedCrop + RandomHorizontalFlip,
// seeded; evaluation: Resize + CenterCrop), then ToTensor + Normalize.
import { mulberry32 } from '@pq/app-kit';
import { classificationEvalTransform, classificationTrainTransform } from '@pq/vision';
import { type ImageFolder, imageFolder, loadImageFile } from '@pq/vision/node';
import { join } from 'node:path';
import { type ClassifyData, type ImageSet, type Normalisation, imageSet } from './dataset.js';

export interface FolderDataOptions {
  imageSize: number;
  resizeSize: number | null;
  norm: Normalisation;
  /** Seeds the training augmentation. */
  seed: number;
}

function folderSet(folder: ImageFolder, o: FolderDataOptions, seed: number): ImageSet {
  const t = { cropSize: o.imageSize, mean: o.norm.mean, std: o.norm.std, ...(o.resizeSize === null ? {} : { resizeSize: o.resizeSize }) };
  const evalTransform = classificationEvalTransform(t);
  const trainTransform = classificationTrainTransform(mulberry32(seed), t);
  const labels = Int32Array.from(folder.samples, (s) => s.label);
  return imageSet(labels, o.imageSize, (i, train, out, offset) => {
    (train ? trainTransform : evalTransform)(loadImageFile(folder.samples[i]!.path), out, offset);
  });
}

/** Reads DIR/train and DIR/val; both must list the same classes. Errors name the folder. */
export function folderData(dir: string, o: FolderDataOptions): ClassifyData {
  const read = (split: string): ImageFolder => {
    try {
      return imageFolder(join(dir, split));
    } catch (e) {
      throw new Error(`--data ${dir}: ${(e as Error).message}`, { cause: e });
    }
  };
  const train = read('train');
  const val = read('val');
  if (train.classes.join('\n') !== val.classes.join('\n')) {
    const onlyTrain = train.classes.filter((c) => !val.classes.includes(c));
    const onlyVal = val.classes.filter((c) => !train.classes.includes(c));
    throw new Error(
      `--data ${dir}: train and val have different classes (only in train: ${onlyTrain.join(', ') || 'none'}; only in val: ${onlyVal.join(', ') || 'none'})`,
    );
  }
  return {
    source: `image folder ${dir}`,
    classes: train.classes,
    imageSize: o.imageSize,
    train: folderSet(train, o, o.seed),
    val: folderSet(val, o, o.seed + 1),
  };
}
