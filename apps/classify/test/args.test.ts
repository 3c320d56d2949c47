import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, checkModelName, helpText, parseClassifyArgs } from '../src/args.js';

const parse = (...argv: string[]) => {
  const r = parseClassifyArgs(argv);
  if (r.help) throw new Error('help');
  return r.options;
};

describe('options', () => {
  it('defaults to resnet18 on the embedded digits, both calibrators and the reference percentiles', () => {
    expect(parse()).toEqual(DEFAULT_OPTIONS);
    expect(DEFAULT_OPTIONS).toMatchObject({ model: 'resnet18', imageSize: 32, trainEpochs: 2, numCalibBatch: 4, calibrators: ['max', 'histogram'], percentiles: [99.9, 99.99, 99.999, 99.9999] });
    expect(parseClassifyArgs(['-h'])).toEqual({ help: true });
    expect(helpText()).toContain('--percentile P...');
  });

  it('reads the reference-style options', () => {
    const o = parse('--model', 'mobilenet_v2', '--percentile', '99', '99.9', '--calibrator', 'histogram', '--sensitivity', '--num-finetune-epochs', '2',
      '--evaluate-onnx', '--mean', '0.5,0.5,0.5', '--std', '0.25,0.25,0.25', '--image-size', '224', '--batch-size-test', '7', '--seed', '3', '--disable-pcq');
    expect(o).toMatchObject({ model: 'mobilenet_v2', percentiles: [99, 99.9], calibrators: ['histogram'], sensitivity: true, numFinetuneEpochs: 2,
      evaluateOnnx: true, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], imageSize: 224, batchSizeTest: 7, seed: 3, disablePcq: true });
    expect(parse('--percentile=99.5').percentiles).toEqual([99.5]);
    expect(parse('--calibrator', 'histogram,max').calibrators).toEqual(['max', 'histogram']);
    // --weights: no training from scratch unless asked.
    expect(parse('--weights', 'w.pth').trainEpochs).toBe(0);
    expect(parse('--weights', 'w.pth', '--train-epochs', '2').trainEpochs).toBe(2);
  });

  it('--quant-config takes ModelOpt-style configs, comma-separated, in their fixed order, or all', () => {
    expect(parse('--model', 'vit_tiny', '--quant-config', 'int4_awq,int8').quantConfigs).toEqual(['int8', 'int4_awq']);
    expect(parse('--quant-config', 'all').quantConfigs).toEqual(['int8', 'int8_smoothquant', 'fp8', 'int4_rtn', 'int4_awq', 'w4a8_awq', 'int3_rtn', 'int3_awq']);
    expect(DEFAULT_OPTIONS.quantConfigs).toEqual([]);
    expect(helpText()).toContain('--quant-config LIST');
  });

  it('names the option and the value in every refusal', () => {
    const cases: [string[], RegExp][] = [
      [['--percentile'], /--percentile needs at least one value/],
      [['--percentile', '101'], /--percentile values must be in \(0, 100\], got "101"/],
      [['--percentile', '99', '99'], /--percentile lists 99 twice/],
      [['--calibrator', 'minmax'], /--calibrator must be one of max, histogram, got "minmax"/],
      [['--mean', '0.5,0.5'], /--mean needs 3 comma-separated numbers/],
      [['--std', '1,0,1'], /--std must be a number > 0, got "0"/],
      [['--image-size', '0'], /--image-size must be an integer >= 1, got "0"/],
      [['--resize-size', '20', '--image-size', '32'], /--resize-size 20 is smaller than --image-size 32/],
      [['--train-epochs', '0'], /--train-epochs 0 skips float training, so it needs --weights FILE/],
      [['--num-calib-batch', '0', '--evaluate-onnx'], /--num-calib-batch 0 skips calibration; .* need a calibrated model/],
      [['--quant-config', 'int5'], /--quant-config must be one of int8, int8_smoothquant, fp8, int4_rtn, int4_awq, w4a8_awq, int3_rtn, int3_awq, got "int5"/],
      [['--quant-config', 'int8', '--num-calib-batch', '0'], /--num-calib-batch 0 skips calibration; .*--quant-config need a calibrated model/],
      [['--bogus'], /Unknown option '--bogus'/],
      [['--model', ' '], /--model needs a model name/],
    ];
    for (const [argv, re] of cases) expect(() => parseClassifyArgs(argv), argv.join(' ')).toThrow(re);
    expect(() => checkModelName('resnet7', ['resnet18', 'mobilenet_v2'])).toThrow(/--model must be one of resnet18, mobilenet_v2, got "resnet7"/);
  });
});
