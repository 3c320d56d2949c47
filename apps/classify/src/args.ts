// Command-line options of `pnpm classify`, after the reference's classification_flow.py: parsed
// with node:util parseArgs, each value checked with an error naming the option and the value.
import { parseArgs } from 'node:util';
import {
  BACKENDS, type BackendName, KERNELS, type KernelsName, UsageError, floatOption, intOption, listOption, oneOfOption, pathOption,
  positiveFloatOption, seedOption,
} from '@pq/app-kit';

export const CALIBRATORS = ['max', 'histogram'] as const;
export type Calibrator = (typeof CALIBRATORS)[number];

/** --quant-config names: @pq/nn's ModelOpt presets, and RTN / AWQ at 3 bits (src/presets.ts). */
export const QUANT_CONFIG_NAMES = ['int8', 'int8_smoothquant', 'fp8', 'int4_rtn', 'int4_awq', 'w4a8_awq', 'int3_rtn', 'int3_awq'] as const;
export type QuantConfigName = (typeof QUANT_CONFIG_NAMES)[number];

export interface ClassifyOptions {
  model: string;
  data: string | null;
  weights: string | null;
  imageSize: number;
  /** Evaluation: the shorter side before the centre crop (null: round(imageSize * 256 / 224)). */
  resizeSize: number | null;
  mean: number[] | null;
  std: number[] | null;
  /** Use at most this many training / validation samples (a seeded random subset), null for all. */
  trainLimit: number | null;
  valLimit: number | null;
  batchSizeTrain: number;
  batchSizeTest: number;
  /** Float training from scratch (0 with --weights by default). */
  trainEpochs: number;
  lr: number;
  numCalibBatch: number;
  calibrators: Calibrator[];
  /** ModelOpt-style configs applied to the float model, each evaluated (empty: none). */
  quantConfigs: QuantConfigName[];
  percentiles: number[];
  disablePcq: boolean;
  sensitivity: boolean;
  numFinetuneEpochs: number;
  finetuneLr: number;
  evaluateOnnx: boolean;
  seed: number;
  kernels: KernelsName;
  backend: BackendName;
  out: string;
  json: string | null;
  quiet: boolean;
}

export const DEFAULT_OPTIONS: ClassifyOptions = {
  model: 'resnet18',
  data: null,
  weights: null,
  imageSize: 32,
  resizeSize: null,
  mean: null,
  std: null,
  trainLimit: null,
  valLimit: null,
  batchSizeTrain: 128,
  batchSizeTest: 128,
  trainEpochs: 2,
  lr: 0.05,
  numCalibBatch: 4,
  calibrators: ['max', 'histogram'],
  quantConfigs: [],
  percentiles: [99.9, 99.99, 99.999, 99.9999],
  disablePcq: false,
  sensitivity: false,
  numFinetuneEpochs: 0,
  finetuneLr: 0.0001,
  evaluateOnnx: false,
  seed: 0,
  kernels: 'js',
  backend: 'wasm',
  out: './classify-out',
  json: null,
  quiet: false,
};

export function helpText(): string {
  const d = DEFAULT_OPTIONS;
  return `pnpm classify [options]

The reference's classification flow: a model (trained here from scratch, or --weights), PTQ
with max and histogram calibration (each percentile, mse and entropy evaluated, the best kept),
an optional per-layer sensitivity profile, fine-tuning, ONNX export and its evaluation in ONNX
Runtime; summary.json and report.html in --out.

Model and data
  --model NAME          a model of @pq/vision: resnet18, resnet34, resnet50, resnet101, resnet152,
                        resnext50_32x4d, resnext101_32x8d, wide_resnet50_2, wide_resnet101_2,
                        mobilenet_v2, vit_* (a wrong name lists them all; default ${d.model})
  --data DIR            an image folder: DIR/train/<class>/*.jpg|png and DIR/val/<class>/...
                        (default: the 10,000 digits of the \`mnist\` package as 3-channel images,
                        8,004 train / 1,996 val)
  --weights FILE        start from a checkpoint (.pth from torch.save, or .safetensors) with the
                        model's state-dict names; a dict holding it under 'state_dict' or
                        'model' works too
  --image-size N        side of the square input (default ${d.imageSize}; 224 for ImageNet models)
  --resize-size N       evaluation: shorter side before the centre crop (default
                        round(image-size * 256 / 224))
  --mean A,B,C          normalisation mean (default ImageNet's 0.485,0.456,0.406)
  --std A,B,C           normalisation std (default ImageNet's 0.229,0.224,0.225)
  --train-limit N       use a seeded random subset of N training images
  --val-limit N         use a seeded random subset of N validation images
Float training (from scratch, before quantization)
  --train-epochs N      epochs (default ${d.trainEpochs} without --weights, 0 with)
  --lr X                SGD learning rate, momentum 0.9, warmed up over 10 steps, then
                        cosine-annealed per step (default ${d.lr})
  --batch-size-train N  batch size for training, calibration and fine-tuning (default ${d.batchSizeTrain})
  --batch-size-test N   batch size for evaluation (default ${d.batchSizeTest})
Calibration (PTQ)
  --num-calib-batch N   training batches to calibrate on (default ${d.numCalibBatch}; 0 skips PTQ)
  --calibrator LIST     max, histogram or both, comma-separated (default max,histogram)
  --percentile P...     percentiles for histogram calibration, each evaluated
                        (default ${d.percentiles.join(' ')}); mse and entropy are evaluated too
  --quant-config LIST   also quantize the float model the ModelOpt way, on the same calibration
                        batches, and evaluate each: ${QUANT_CONFIG_NAMES.slice(0, 6).join(', ')},
                        ${QUANT_CONFIG_NAMES.slice(6).join(', ')} (3-bit RTN / AWQ), or all; comma-separated
  --disable-pcq         weights per tensor instead of per output channel
Sensitivity, fine-tuning, export
  --sensitivity         evaluate with each layer's quantizers disabled in turn
  --num-finetune-epochs N  QAT epochs of the best calibrated model (default ${d.numFinetuneEpochs})
  --finetune-lr X       SGD learning rate of fine-tuning, cosine-annealed per epoch (default ${d.finetuneLr})
  --evaluate-onnx       export the final model to ONNX and evaluate it in onnxruntime-node
Run
  --seed N              seed for initialisation, shuffling, subsets and augmentation (default ${d.seed})
  --kernels js|gpu      fake-quant kernels (default ${d.kernels})
  --backend wasm|cpu    tfjs backend with @pq/nn's accelerated kernels (default ${d.backend})
  --out DIR             output folder (default ${d.out})
  --json FILE           also write the summary to FILE
  --quiet               no progress bars and no table, only errors
  -h, --help            show this help
`;
}

export type ParsedArgs = { help: true } | { help: false; options: ClassifyOptions };

function triple(name: string, raw: string, positive: boolean): number[] {
  const parts = listOption(raw);
  if (parts.length !== 3) throw new UsageError(`--${name} needs 3 comma-separated numbers (one per channel), got "${raw}"`);
  return parts.map((p) => (positive ? positiveFloatOption(name, p) : floatOption(name, p)));
}

/**
 * Parses argv. `--percentile` takes one or more values (`--percentile 99.9 99.99`), as argparse's
 * nargs='+': the words after it up to the next option.
 */
export function parseClassifyArgs(argv: readonly string[]): ParsedArgs {
  const args = [...argv];
  const percentileWords: string[] = [];
  const pi = args.findIndex((a) => a === '--percentile' || a.startsWith('--percentile='));
  if (pi >= 0) {
    const eq = args[pi]!.indexOf('=');
    let end = pi + 1;
    if (eq >= 0) percentileWords.push(args[pi]!.slice(eq + 1));
    while (end < args.length && !args[end]!.startsWith('-')) percentileWords.push(args[end++]!);
    if (percentileWords.length === 0) throw new UsageError('--percentile needs at least one value (e.g. --percentile 99.9 99.99)');
    args.splice(pi, end - pi);
    if (args.some((a) => a === '--percentile' || a.startsWith('--percentile='))) throw new UsageError('--percentile is given twice');
  }
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' }, data: { type: 'string' }, weights: { type: 'string' }, 'image-size': { type: 'string' },
        'resize-size': { type: 'string' }, mean: { type: 'string' }, std: { type: 'string' }, 'train-limit': { type: 'string' },
        'val-limit': { type: 'string' }, 'batch-size-train': { type: 'string' }, 'batch-size-test': { type: 'string' },
        'train-epochs': { type: 'string' }, lr: { type: 'string' }, 'num-calib-batch': { type: 'string' }, calibrator: { type: 'string' }, 'quant-config': { type: 'string' },
        'disable-pcq': { type: 'boolean' }, sensitivity: { type: 'boolean' }, 'num-finetune-epochs': { type: 'string' },
        'finetune-lr': { type: 'string' }, 'evaluate-onnx': { type: 'boolean' }, seed: { type: 'string' }, kernels: { type: 'string' },
        backend: { type: 'string' }, out: { type: 'string' }, json: { type: 'string' }, quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return { help: true };
  const o: ClassifyOptions = {
    ...DEFAULT_OPTIONS, calibrators: [...DEFAULT_OPTIONS.calibrators], percentiles: [...DEFAULT_OPTIONS.percentiles], quantConfigs: [],
  };
  // Checked against the model registry once it is loaded (checkModelName).
  if (v.model !== undefined) {
    if (v.model.trim() === '') throw new UsageError('--model needs a model name, got an empty string');
    o.model = v.model.trim();
  }
  if (v.data !== undefined) o.data = pathOption('data', v.data);
  if (v.weights !== undefined) o.weights = pathOption('weights', v.weights);
  if (v['image-size'] !== undefined) o.imageSize = intOption('image-size', v['image-size'], 1);
  if (v['resize-size'] !== undefined) o.resizeSize = intOption('resize-size', v['resize-size'], 1);
  if (o.resizeSize !== null && o.resizeSize < o.imageSize) {
    throw new UsageError(`--resize-size ${o.resizeSize} is smaller than --image-size ${o.imageSize}; the centre crop would pad with zeros`);
  }
  if (v.mean !== undefined) o.mean = triple('mean', v.mean, false);
  if (v.std !== undefined) o.std = triple('std', v.std, true);
  if (v['train-limit'] !== undefined) o.trainLimit = intOption('train-limit', v['train-limit'], 1);
  if (v['val-limit'] !== undefined) o.valLimit = intOption('val-limit', v['val-limit'], 1);
  if (v['batch-size-train'] !== undefined) o.batchSizeTrain = intOption('batch-size-train', v['batch-size-train'], 1);
  if (v['batch-size-test'] !== undefined) o.batchSizeTest = intOption('batch-size-test', v['batch-size-test'], 1);
  o.trainEpochs = v['train-epochs'] !== undefined ? intOption('train-epochs', v['train-epochs'], 0) : v.weights !== undefined ? 0 : DEFAULT_OPTIONS.trainEpochs;
  if (v.lr !== undefined) o.lr = positiveFloatOption('lr', v.lr);
  if (v['num-calib-batch'] !== undefined) o.numCalibBatch = intOption('num-calib-batch', v['num-calib-batch'], 0);
  if (v.calibrator !== undefined) {
    const list = listOption(v.calibrator).map((c) => oneOfOption('calibrator', c, CALIBRATORS));
    if (list.length === 0) throw new UsageError(`--calibrator needs max, histogram or both`);
    o.calibrators = CALIBRATORS.filter((c) => list.includes(c));
  }
  if (v['quant-config'] !== undefined) {
    const list = listOption(v['quant-config']);
    if (list.length === 0) throw new UsageError(`--quant-config needs one or more of ${QUANT_CONFIG_NAMES.join(', ')}, or all`);
    const names = list.includes('all') ? [...QUANT_CONFIG_NAMES] : list.map((c) => oneOfOption('quant-config', c, QUANT_CONFIG_NAMES));
    o.quantConfigs = QUANT_CONFIG_NAMES.filter((c) => names.includes(c));
  }
  if (percentileWords.length > 0) {
    const ps = percentileWords.flatMap(listOption).map((p) => {
      const x = floatOption('percentile', p);
      if (x <= 0 || x > 100) throw new UsageError(`--percentile values must be in (0, 100], got "${p}"`);
      return x;
    });
    const dup = ps.find((p, i) => ps.indexOf(p) !== i);
    if (dup !== undefined) throw new UsageError(`--percentile lists ${dup} twice`);
    o.percentiles = ps;
  }
  if (v['disable-pcq']) o.disablePcq = true;
  if (v.sensitivity) o.sensitivity = true;
  if (v['num-finetune-epochs'] !== undefined) o.numFinetuneEpochs = intOption('num-finetune-epochs', v['num-finetune-epochs'], 0);
  if (v['finetune-lr'] !== undefined) o.finetuneLr = positiveFloatOption('finetune-lr', v['finetune-lr']);
  if (v['evaluate-onnx']) o.evaluateOnnx = true;
  if (v.seed !== undefined) o.seed = seedOption(v.seed);
  if (v.kernels !== undefined) o.kernels = oneOfOption('kernels', v.kernels, KERNELS);
  if (v.backend !== undefined) o.backend = oneOfOption('backend', v.backend, BACKENDS);
  if (v.out !== undefined) o.out = pathOption('out', v.out);
  if (v.json !== undefined) o.json = pathOption('json', v.json);
  if (v.quiet) o.quiet = true;
  if (o.weights === null && o.trainEpochs === 0) {
    throw new UsageError('--train-epochs 0 skips float training, so it needs --weights FILE to start from');
  }
  if (o.numCalibBatch === 0 && (o.sensitivity || o.numFinetuneEpochs > 0 || o.evaluateOnnx || o.quantConfigs.length > 0)) {
    throw new UsageError('--num-calib-batch 0 skips calibration; --sensitivity, --num-finetune-epochs, --evaluate-onnx and --quant-config need a calibrated model');
  }
  return { help: false, options: o };
}

/** Refuses a --model the registry does not know, listing the ones it does. */
export function checkModelName(name: string, known: readonly string[]): void {
  if (!known.includes(name)) throw new UsageError(`--model must be one of ${known.join(', ')}, got "${name}"`);
}
