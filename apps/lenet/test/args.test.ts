import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, HELP, parseLenetArgs } from '../src/args.js';

const opts = (argv: string[]) => {
  const r = parseLenetArgs(argv);
  if (r.help) throw new Error('unexpected help');
  return r.options;
};

describe('parseLenetArgs', () => {
  it('defaults to the issue recipe', () => {
    expect(opts([])).toEqual(DEFAULT_OPTIONS);
    expect(DEFAULT_OPTIONS).toMatchObject({ epochs: 10, batchSize: 64, lr: 0.02, seed: 0, qatFrom: 'percentile', qatEpochs: 1, calibEvery: 16, out: './lenet-out' });
    expect(DEFAULT_OPTIONS.methods).toEqual(['max', 'percentile', 'mse', 'entropy']);
  });

  it('parses every option', () => {
    const o = opts([
      '--epochs', '3', '--batch-size', '32', '--lr', '0.1', '--seed', '7', '--methods', 'max, mse',
      '--qat-from', 'mse', '--qat-epochs', '2', '--calib-every', '8', '--data', '/d', '--weights', 'w.safetensors',
      '--kernels', 'gpu', '--backend', 'cpu', '--out', 'o', '--json', 's.json', '--quiet',
    ]);
    expect(o).toEqual({
      epochs: 3, batchSize: 32, lr: 0.1, seed: 7, methods: ['max', 'mse'], qatFrom: 'mse', qatEpochs: 2, calibEvery: 8,
      data: '/d', weights: 'w.safetensors', kernels: 'gpu', backend: 'cpu', out: 'o', json: 's.json', quiet: true,
    });
    expect(opts(['--epochs=0', '--weights=w.json']).epochs).toBe(0);
  });

  it('answers --help and -h, and the help names every option', () => {
    expect(parseLenetArgs(['--help'])).toEqual({ help: true });
    expect(parseLenetArgs(['-h', '--epochs', 'x'])).toEqual({ help: true });
    for (const flag of ['--epochs', '--batch-size', '--lr', '--seed', '--methods', '--qat-from', '--qat-epochs', '--calib-every',
      '--data', '--weights', '--kernels', '--backend', '--out', '--json', '--quiet', '--help']) {
      expect(HELP).toContain(flag);
    }
  });

  it('names the option and the bad value', () => {
    const bad: [string[], RegExp][] = [
      [['--epochs=-1'], /--epochs must be an integer >= 0, got "-1"/],
      [['--epochs', '2.5'], /--epochs must be an integer >= 0, got "2.5"/],
      [['--batch-size', '0'], /--batch-size must be an integer >= 1, got "0"/],
      [['--lr', 'fast'], /--lr must be a number > 0, got "fast"/],
      [['--lr', '0'], /--lr must be a number > 0, got "0"/],
      [['--seed', '99999999999'], /--seed must be below 2\^32/],
      [['--methods', 'max,minmax'], /--methods must be one of max, percentile, mse, entropy, got "minmax"/],
      [['--methods', ','], /--methods needs at least one/],
      [['--methods', 'max,max'], /--methods lists "max" twice/],
      [['--qat-from', 'kl'], /--qat-from must be one of/],
      [['--methods', 'max'], /--qat-from percentile is not among --methods \(max\)/],
      [['--kernels', 'cuda'], /--kernels must be one of js, gpu, got "cuda"/],
      [['--backend', 'webgl'], /--backend must be one of wasm, cpu, got "webgl"/],
      [['--calib-every', '0'], /--calib-every must be an integer >= 1/],
      [['--out', ''], /--out needs a path/],
      [['--epochs', '0'], /--epochs 0 skips float training, so it needs --weights FILE/],
      [['--bogus'], /Unknown option '--bogus'/],
      [['extra'], /positional argument/],
      [['--epochs'], /--epochs/],
    ];
    for (const [argv, re] of bad) expect(() => parseLenetArgs(argv), argv.join(' ')).toThrow(re);
    expect(opts(['--methods', 'max', '--qat-epochs', '0']).methods).toEqual(['max']);
  });
});
