// The command line of `pq`: subcommands quantize and inspect, parsed with node:util parseArgs,
// each value checked with an error that names the option and the bad value (exit code 2).
import { parseArgs } from 'node:util';
import {
  BACKENDS, type BackendName, UsageError, floatOption, intOption, oneOfOption, pathOption, positiveFloatOption,
} from '@pq/app-kit';

export const METHODS = ['max', 'percentile', 'mse', 'entropy'] as const;

/** The opsets @pq/nn's exportOnnx writes (its MIN_OPSET and MAX_OPSET; a test keeps them equal), known here without loading @pq/nn. */
export const EXPORT_OPSETS = [13, 21] as const;
export type Method = (typeof METHODS)[number];

export interface QuantizeOptions {
  model: string;
  calib: string;
  output: string;
  method: Method;
  percentile: number;
  perChannel: boolean;
  exclude: string[];
  calibSamples: number | null;
  batchSize: number;
  /** Image side the model sees (null: the model input's height and width). */
  size: number | null;
  resize: number | null;
  mean: [number, number, number];
  std: [number, number, number];
  qatData: string | null;
  qatEpochs: number;
  labels: string | null;
  lr: number;
  opset: number | null;
  backend: BackendName;
  quiet: boolean;
}

export const DEFAULTS = {
  method: 'max' as Method,
  percentile: 99.99,
  batchSize: 16,
  mean: [0.485, 0.456, 0.406] as [number, number, number],
  std: [0.229, 0.224, 0.225] as [number, number, number],
  qatEpochs: 1,
  lr: 1e-4,
  backend: 'wasm' as BackendName,
};

export const HELP = `pq <command> [options]

Commands
  quantize IN.onnx --calib DATA -o OUT.onnx   calibrate (and optionally fine-tune) a float ONNX
                                               model and write it with QuantizeLinear /
                                               DequantizeLinear pairs
  inspect MODEL.onnx                          inputs, outputs, opset, op histogram, parameter
                                               count, and whether pq can import the model

Run \`pq <command> --help\` for a command's options.
`;

export const QUANTIZE_HELP = `pq quantize IN.onnx --calib DATA -o OUT.onnx [options]

Imports IN.onnx, replaces its layers by pq's quantized ones (int8 inputs and weights),
calibrates them on DATA (a progress bar, then a table of every quantizer's amax), optionally
fine-tunes them (QAT, straight-through gradients), writes the Q/DQ model to OUT.onnx and checks
it in onnxruntime-node against the float model on the calibration data (argmax agreement, max
difference).

Data (DATA for --calib and --qat-data)
  a folder of images          class sub-folders (torchvision's ImageFolder layout) or images
                              directly in it; JPEG and PNG, resized, centre-cropped and
                              normalised as below
  a .npy file                 the input tensors, [N, ...the model input without its batch]
  a .safetensors file         the input tensors under the model input's name (or the file's
                              only tensor); labels under 'labels'
Calibration
  --calib DATA                calibration data (required)
  --method M                  ${METHODS.join(' | ')} (default ${DEFAULTS.method}): how each input quantizer's
                              amax comes from what it saw; weights always take their max
  --percentile P              the percentile for --method percentile (default ${DEFAULTS.percentile})
  --per-channel               quantize weights per output channel (default per tensor)
  --exclude PATTERN           keep the layers whose module path matches PATTERN float (wildcards *
                              and ?, e.g. fc or 'layer4.*'); repeat for several patterns
  --calib-samples N           use the first N samples of --calib (default all)
  --batch-size N              samples per forward pass (default ${DEFAULTS.batchSize}; a model with a fixed
                              batch dimension takes batches of that size)
Images
  --size N                    side of the square image the model sees (default the model input's
                              height and width)
  --resize N                  shorter side before the centre crop (default round(size * 256 / 224))
  --mean R,G,B                per-channel mean (default ImageNet's ${DEFAULTS.mean.join(',')})
  --std R,G,B                 per-channel standard deviation (default ${DEFAULTS.std.join(',')})
Fine-tuning (QAT)
  --qat-data DATA             fine-tune on DATA after calibration
  --qat-epochs N              epochs over --qat-data (default ${DEFAULTS.qatEpochs})
  --labels FILE               the class of each --qat-data sample (.npy of integers) for a
                              cross-entropy loss on the model's output; image folders with class
                              sub-folders and .safetensors files with 'labels' carry their own.
                              Without labels the quantized model learns the float model's outputs
                              (mean squared error)
  --lr X                      Adam learning rate (default ${DEFAULTS.lr}); batch-norm statistics stay
                              as calibrated
Output
  -o, --output OUT.onnx       the Q/DQ model (required; written atomically)
  --opset N                   its opset, ${EXPORT_OPSETS[0]} to ${EXPORT_OPSETS[1]} (default the input's, within that range)
  --backend wasm|cpu          tfjs backend with @pq/nn's accelerated kernels (default ${DEFAULTS.backend})
  --quiet                     print only errors
  -h, --help                  show this help
`;

export const INSPECT_HELP = `pq inspect MODEL.onnx

Prints the model's IR version, opset and producer, its inputs and outputs (element type and
shape, symbolic dimensions by name), a histogram of its op types, its float parameter count, and
whether pq can import it — with every unsupported operator, attribute or file problem when not.

  -h, --help                  show this help
`;

export type Command =
  | { command: 'help'; text: string }
  | { command: 'quantize'; options: QuantizeOptions }
  | { command: 'inspect'; model: string };

function parse(argv: readonly string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options']) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: true, options });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function triple(name: string, raw: string, positive: boolean): [number, number, number] {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.length !== 3) throw new UsageError(`--${name} needs three comma-separated numbers (R,G,B), got "${raw}"`);
  return parts.map((p) => (positive ? positiveFloatOption(name, p) : floatOption(name, p))) as [number, number, number];
}

function onePositional(what: string, positionals: readonly string[], command: string): string {
  if (positionals.length === 0) throw new UsageError(`${command} needs ${what}`);
  if (positionals.length > 1) throw new UsageError(`${command} takes one model file, got ${positionals.length}: ${positionals.join(' ')}`);
  return pathOption(command, positionals[0]!);
}

export function parseCommand(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') return { command: 'help', text: HELP };
  if (command === 'inspect') {
    const p = parse(rest, { help: { type: 'boolean', short: 'h' } });
    if ((p.values as { help?: boolean }).help) return { command: 'help', text: INSPECT_HELP };
    return { command: 'inspect', model: onePositional('a model file (MODEL.onnx)', p.positionals, 'inspect') };
  }
  if (command !== 'quantize') throw new UsageError(`unknown command "${command}" (commands: quantize, inspect)`);
  const p = parse(rest, {
    calib: { type: 'string' },
    method: { type: 'string' },
    percentile: { type: 'string' },
    'per-channel': { type: 'boolean' },
    exclude: { type: 'string', multiple: true },
    'calib-samples': { type: 'string' },
    'batch-size': { type: 'string' },
    size: { type: 'string' },
    resize: { type: 'string' },
    mean: { type: 'string' },
    std: { type: 'string' },
    'qat-data': { type: 'string' },
    'qat-epochs': { type: 'string' },
    labels: { type: 'string' },
    lr: { type: 'string' },
    output: { type: 'string', short: 'o' },
    opset: { type: 'string' },
    backend: { type: 'string' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const v = p.values as Record<string, string | boolean | string[] | undefined>;
  if (v.help) return { command: 'help', text: QUANTIZE_HELP };
  const str = (k: string) => v[k] as string | undefined;
  const model = onePositional('the model to quantize (IN.onnx)', p.positionals, 'quantize');
  if (str('calib') === undefined) throw new UsageError('quantize needs --calib DATA (images, .npy or .safetensors)');
  if (str('output') === undefined) throw new UsageError('quantize needs -o OUT.onnx');
  const o: QuantizeOptions = {
    model,
    calib: pathOption('calib', str('calib')!),
    output: pathOption('output', str('output')!),
    method: str('method') === undefined ? DEFAULTS.method : oneOfOption('method', str('method')!, METHODS),
    percentile: DEFAULTS.percentile,
    perChannel: v['per-channel'] === true,
    exclude: ((v.exclude as string[] | undefined) ?? []).map((e) => pathOption('exclude', e)),
    calibSamples: str('calib-samples') === undefined ? null : intOption('calib-samples', str('calib-samples')!, 1),
    batchSize: str('batch-size') === undefined ? DEFAULTS.batchSize : intOption('batch-size', str('batch-size')!, 1),
    size: str('size') === undefined ? null : intOption('size', str('size')!, 1),
    resize: str('resize') === undefined ? null : intOption('resize', str('resize')!, 1),
    mean: str('mean') === undefined ? DEFAULTS.mean : triple('mean', str('mean')!, false),
    std: str('std') === undefined ? DEFAULTS.std : triple('std', str('std')!, true),
    qatData: str('qat-data') === undefined ? null : pathOption('qat-data', str('qat-data')!),
    qatEpochs: str('qat-epochs') === undefined ? DEFAULTS.qatEpochs : intOption('qat-epochs', str('qat-epochs')!, 1),
    labels: str('labels') === undefined ? null : pathOption('labels', str('labels')!),
    lr: str('lr') === undefined ? DEFAULTS.lr : positiveFloatOption('lr', str('lr')!),
    opset: str('opset') === undefined ? null : intOption('opset', str('opset')!, 1),
    backend: str('backend') === undefined ? DEFAULTS.backend : oneOfOption('backend', str('backend')!, BACKENDS),
    quiet: v.quiet === true,
  };
  if (str('percentile') !== undefined) {
    if (o.method !== 'percentile') throw new UsageError(`--percentile applies to --method percentile (the method is ${o.method})`);
    o.percentile = positiveFloatOption('percentile', str('percentile')!);
    if (o.percentile > 100) throw new UsageError(`--percentile must be at most 100, got "${str('percentile')}"`);
  }
  if (o.qatData === null && (str('qat-epochs') !== undefined || o.labels !== null || str('lr') !== undefined)) {
    throw new UsageError('--qat-epochs, --labels and --lr apply to fine-tuning: give --qat-data DATA');
  }
  const [lo, hi] = EXPORT_OPSETS;
  if (o.opset !== null && (o.opset < lo || o.opset > hi)) throw new UsageError(`--opset must be ${lo} to ${hi} (what pq exports), got "${str('opset')}"`);
  return { command: 'quantize', options: o };
}
