// Command-line options of `pnpm lenet`: parsed with node:util parseArgs, then each value
// checked with an error that names the option and the bad value.
import { parseArgs } from 'node:util';
import {
  BACKENDS, type BackendName, KERNELS, type KernelsName, UsageError, intOption as int, oneOfOption as oneOf, pathOption as nonEmpty,
  positiveFloatOption as positiveFloat, seedOption,
} from '@pq/app-kit';
import { CALIB_METHODS, type CalibMethod } from './model.js';

export { CALIB_METHODS, type CalibMethod };

export interface LenetOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  methods: CalibMethod[];
  qatFrom: CalibMethod;
  qatEpochs: number;
  calibEvery: number;
  data: string | null;
  weights: string | null;
  kernels: KernelsName;
  backend: BackendName;
  out: string;
  json: string | null;
  quiet: boolean;
}

export const DEFAULT_OPTIONS: LenetOptions = {
  epochs: 10,
  batchSize: 64,
  lr: 0.02,
  seed: 0,
  methods: [...CALIB_METHODS],
  qatFrom: 'percentile',
  qatEpochs: 1,
  calibEvery: 16,
  data: null,
  weights: null,
  kernels: 'js',
  backend: 'wasm',
  out: './lenet-out',
  json: null,
  quiet: false,
};

export const HELP = `pnpm lenet [options]

Trains LeNet on MNIST, calibrates its quantizers with each method, fine-tunes (QAT), exports
the QAT model to ONNX, checks it in ONNX Runtime and writes a report.

Data
  --data DIR          read the standard MNIST IDX files from DIR (train-images-idx3-ubyte,
                      train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
                      each optionally .gz) instead of the embedded 10,000 digits of the
                      \`mnist\` package (split 8,004 train / 1,996 test)
Float training
  --epochs N          float training epochs (default ${DEFAULT_OPTIONS.epochs}; 0 skips training,
                      use with --weights)
  --batch-size N      batch size for training and QAT (default ${DEFAULT_OPTIONS.batchSize})
  --lr X              SGD learning rate, momentum 0.9 (default ${DEFAULT_OPTIONS.lr})
  --seed N            seed for initialisation, shuffling and dropout (default ${DEFAULT_OPTIONS.seed})
  --weights FILE      start from a float LeNet state dict with PyTorch names
                      (conv1.weight, ..., fc2.bias), .safetensors or .json
Calibration (PTQ)
  --methods LIST      comma-separated calibration methods among ${CALIB_METHODS.join(', ')}
                      (default all four; percentile is 99.99)
  --calib-every N     calibrate on every N-th training sample in split order (default ${DEFAULT_OPTIONS.calibEvery})
QAT
  --qat-from METHOD   the calibrated model to fine-tune (default ${DEFAULT_OPTIONS.qatFrom}; must be in --methods)
  --qat-epochs N      fine-tuning epochs at 1% of --lr, cosine-annealed to 1% of that
                      (default ${DEFAULT_OPTIONS.qatEpochs}; 0 skips QAT and the ONNX export)
Compute
  --kernels js|gpu    fake-quant kernels: pure JS or gpu.js (default ${DEFAULT_OPTIONS.kernels})
  --backend wasm|cpu  tfjs backend with @pq/nn's accelerated kernels (default ${DEFAULT_OPTIONS.backend})
Output
  --out DIR           output directory (default ${DEFAULT_OPTIONS.out}): float and quantized state
                      dicts (.safetensors), summary.json, report.html, lenet-qat.onnx
  --json FILE         also write the summary alone to FILE
  --quiet             no progress bars and no table, only errors
  -h, --help          show this help
`;

export type ParsedArgs = { help: true } | { help: false; options: LenetOptions };

export function parseLenetArgs(argv: readonly string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        lr: { type: 'string' },
        seed: { type: 'string' },
        methods: { type: 'string' },
        'qat-from': { type: 'string' },
        'qat-epochs': { type: 'string' },
        'calib-every': { type: 'string' },
        data: { type: 'string' },
        weights: { type: 'string' },
        kernels: { type: 'string' },
        backend: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return { help: true };
  const o: LenetOptions = { ...DEFAULT_OPTIONS, methods: [...DEFAULT_OPTIONS.methods] };
  if (v.epochs !== undefined) o.epochs = int('epochs', v.epochs, 0);
  if (v['batch-size'] !== undefined) o.batchSize = int('batch-size', v['batch-size'], 1);
  if (v.lr !== undefined) o.lr = positiveFloat('lr', v.lr);
  if (v.seed !== undefined) o.seed = seedOption(v.seed);
  if (v.methods !== undefined) {
    const list = v.methods.split(',').map((m) => m.trim()).filter((m) => m !== '');
    if (list.length === 0) throw new UsageError(`--methods needs at least one of ${CALIB_METHODS.join(', ')}`);
    const methods = list.map((m) => oneOf('methods', m, CALIB_METHODS));
    const dup = methods.find((m, i) => methods.indexOf(m) !== i);
    if (dup) throw new UsageError(`--methods lists "${dup}" twice`);
    o.methods = methods;
  }
  if (v['qat-epochs'] !== undefined) o.qatEpochs = int('qat-epochs', v['qat-epochs'], 0);
  if (v['qat-from'] !== undefined) o.qatFrom = oneOf('qat-from', v['qat-from'], CALIB_METHODS);
  if (o.qatEpochs > 0 && !o.methods.includes(o.qatFrom)) {
    throw new UsageError(`--qat-from ${o.qatFrom} is not among --methods (${o.methods.join(',')}); add it or pass --qat-epochs 0`);
  }
  if (v['calib-every'] !== undefined) o.calibEvery = int('calib-every', v['calib-every'], 1);
  if (v.data !== undefined) o.data = nonEmpty('data', v.data);
  if (v.weights !== undefined) o.weights = nonEmpty('weights', v.weights);
  if (v.kernels !== undefined) o.kernels = oneOf('kernels', v.kernels, KERNELS);
  if (v.backend !== undefined) o.backend = oneOf('backend', v.backend, BACKENDS);
  if (v.out !== undefined) o.out = nonEmpty('out', v.out);
  if (v.json !== undefined) o.json = nonEmpty('json', v.json);
  if (v.quiet) o.quiet = true;
  if (o.epochs === 0 && o.weights === null) {
    throw new UsageError('--epochs 0 skips float training, so it needs --weights FILE to start from');
  }
  return { help: false, options: o };
}
