// Input data for calibration and fine-tuning: a folder of images (torchvision's ImageFolder
// layout, or images directly in the folder; decoded, resized, centre-cropped and normalised
// with @pq/vision's transforms), a .npy file or a .safetensors file of input tensors. Images
// are read batch by batch; array files at once.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { UsageError, formatCount } from '@pq/app-kit';
import { decodeNpy, decodeSafetensors } from '@pq/nn';
import { classificationEvalTransform } from '@pq/vision';
import { IMAGE_EXTENSIONS, imageFolder, loadImageFile } from '@pq/vision/node';
import { formatDims, type Dim } from '@pq/onnx';

export interface Dataset {
  /** What was read, for the log ("64 images in 10 classes", "a .npy of 32 inputs"). */
  describe: string;
  count: number;
  /** One sample's shape (the model input without its batch dimension). */
  sampleShape: number[];
  /** Each sample's class, when the data have classes. */
  labels: Int32Array | null;
  /** Samples [start, end) as row-major float32 values. */
  read(start: number, end: number): Float32Array;
}

export interface DataSpec {
  /** The option that named the data (--calib, --qat-data), for messages. */
  option: string;
  inputName: string;
  /** The model input's shape, batch dimension first. */
  inputShape: Dim[];
  size: number | null;
  resize: number | null;
  mean: readonly number[];
  std: readonly number[];
  /** A .npy file of labels (--labels). */
  labels: string | null;
  /** Use only the first `limit` samples. */
  limit: number | null;
}

function statOf(path: string, option: string) {
  try {
    return statSync(path);
  } catch {
    throw new UsageError(`${option} ${path}: no such file or folder`);
  }
}

/** Checks that a sample shape fits the model input (its dimensions after the batch). */
function checkSampleShape(spec: DataSpec, sample: readonly number[], what: string): void {
  const want = spec.inputShape.slice(1);
  const fits = want.length === sample.length && want.every((d, i) => typeof d !== 'number' || d === sample[i]);
  if (!fits) {
    throw new UsageError(`${spec.option}: ${what} [${sample.join(', ')}] does not fit the model input '${spec.inputName}' ${formatDims(spec.inputShape)} (its dimensions after the batch)`);
  }
}

function labelsFrom(values: Float32Array, count: number, where: string): Int32Array {
  if (values.length !== count) throw new UsageError(`${where}: ${values.length} labels for ${count} samples`);
  const bad = values.findIndex((v) => !Number.isInteger(v) || v < 0);
  if (bad >= 0) throw new UsageError(`${where}: label ${values[bad]} (sample ${bad}) is not a class index (a non-negative integer)`);
  return Int32Array.from(values);
}

function readLabels(path: string, count: number): Int32Array {
  if (extname(path).toLowerCase() !== '.npy') throw new UsageError(`--labels ${path}: expected a .npy file of integers`);
  statOf(path, '--labels');
  const a = decodeNpy(new Uint8Array(readFileSync(path)));
  if (a.shape.length !== 1) throw new UsageError(`--labels ${path}: expected a 1-D array of class indices, got shape [${a.shape.join(', ')}]`);
  return labelsFrom(a.data, count, `--labels ${path}`);
}

/** An in-memory [N, ...] array as a dataset (the first `limit` samples). */
function arrayDataset(spec: DataSpec, data: Float32Array, shape: readonly number[], describe: string, labels: Int32Array | null): Dataset {
  const where = `${spec.option}`;
  if (shape.length < 1 || shape[0] === 0) throw new UsageError(`${where}: no samples (shape [${shape.join(', ')}])`);
  const sampleShape = shape.slice(1);
  checkSampleShape(spec, sampleShape, 'samples of shape');
  const count = Math.min(shape[0]!, spec.limit ?? Infinity);
  const per = sampleShape.reduce((a, b) => a * b, 1);
  return {
    describe: `${describe}: ${formatCount(count)} input${count === 1 ? '' : 's'} of shape [${sampleShape.join(', ')}]`,
    count,
    sampleShape,
    labels: labels === null ? null : labels.subarray(0, count),
    read: (start, end) => data.slice(start * per, end * per),
  };
}

function imageSize(spec: DataSpec): number {
  if (spec.size !== null) return spec.size;
  const [, c, h, w] = spec.inputShape;
  if (spec.inputShape.length === 4 && typeof h === 'number' && h === w && (c === 3 || typeof c !== 'number')) return h;
  throw new UsageError(`${spec.option}: images need --size N (the model input '${spec.inputName}' is ${formatDims(spec.inputShape)}, not [N, 3, S, S])`);
}

function imageDataset(path: string, spec: DataSpec): Dataset {
  const size = imageSize(spec);
  checkSampleShape(spec, [3, size, size], 'images of shape');
  const hasClasses = readdirSync(path).some((name) => statSync(join(path, name)).isDirectory());
  let files: string[];
  let labels: Int32Array | null = null;
  let describe: string;
  if (hasClasses) {
    if (spec.labels !== null) throw new UsageError(`--labels: the image folder ${path} has class folders, which give the labels`);
    const folder = imageFolder(path);
    files = folder.samples.map((s) => s.path);
    labels = Int32Array.from(folder.samples, (s) => s.label);
    describe = `images in ${folder.classes.length} classes`;
  } else {
    files = readdirSync(path).filter((n) => IMAGE_EXTENSIONS.includes(extname(n).toLowerCase())).sort().map((n) => join(path, n));
    if (files.length === 0) throw new UsageError(`${spec.option} ${path}: no images (${IMAGE_EXTENSIONS.join(', ')}) and no class folders`);
    if (spec.labels !== null) labels = readLabels(spec.labels, files.length);
    describe = 'images';
  }
  const count = Math.min(files.length, spec.limit ?? Infinity);
  const transform = classificationEvalTransform({ cropSize: size, ...(spec.resize === null ? {} : { resizeSize: spec.resize }), mean: spec.mean, std: spec.std });
  const per = 3 * size * size;
  return {
    describe: `${formatCount(count)} ${describe}, ${size}x${size}`,
    count,
    sampleShape: [3, size, size],
    labels: labels === null ? null : labels.subarray(0, count),
    read: (start, end) => {
      const out = new Float32Array((end - start) * per);
      for (let i = start; i < end; i++) transform(loadImageFile(files[i]!), out, (i - start) * per);
      return out;
    },
  };
}

/** Opens DATA (a folder of images, a .npy or a .safetensors file) for a model input. */
export function openDataset(path: string, spec: DataSpec): Dataset {
  const st = statOf(path, spec.option);
  if (st.isDirectory()) return imageDataset(path, spec);
  const ext = extname(path).toLowerCase();
  const bytes = new Uint8Array(readFileSync(path));
  if (ext === '.npy') {
    const a = decodeNpy(bytes);
    return arrayDataset(spec, a.data, a.shape, 'a .npy file', spec.labels === null ? null : readLabels(spec.labels, a.shape[0] ?? 0));
  }
  if (ext === '.safetensors') {
    const dict = decodeSafetensors(bytes);
    const names = Object.keys(dict).filter((k) => k !== 'labels');
    const name = names.includes(spec.inputName) ? spec.inputName : names.length === 1 ? names[0]! : null;
    if (name === null) {
      throw new UsageError(`${spec.option} ${path}: no tensor named '${spec.inputName}' (the model input) and not exactly one tensor (has ${names.join(', ') || 'none'})`);
    }
    const t = dict[name]!;
    const count = t.shape[0] ?? 0;
    const labels = spec.labels !== null ? readLabels(spec.labels, count) : dict['labels'] ? labelsFrom(dict['labels'].data, count, `${path}: 'labels'`) : null;
    return arrayDataset(spec, t.data, t.shape, `a .safetensors file ('${name}')`, labels);
  }
  throw new UsageError(`${spec.option} ${path}: expected a folder of images, a .npy or a .safetensors file`);
}
