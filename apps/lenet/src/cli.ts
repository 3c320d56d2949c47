#!/usr/bin/env node
// `pnpm lenet`: parse options, set up compute, load MNIST, run the pipeline. Exit codes: 0 done,
// 1 failed, 2 bad command line (also an option that the data make meaningless, found before
// training), 130 interrupted (Ctrl-C; unfinished files removed).
// The heavy modules (tfjs, @pq/nn, onnxruntime) load only after the options and the data are
// valid, so --help, usage errors and a bad --data answer at once.
import { fromInvocationDir, installInterruptCleanup, runCli } from '@pq/app-kit/node';
import { HELP, type LenetOptions, parseLenetArgs } from './args.js';

/** Relative paths (--out, --data, --weights, --json) are meant from where the user ran the command. */
function withPathsFromInvocation(o: LenetOptions): LenetOptions {
  return { ...o, out: fromInvocationDir(o.out), data: fromInvocationDir(o.data), weights: fromInvocationDir(o.weights), json: fromInvocationDir(o.json) };
}

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseLenetArgs(argv);
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const options: LenetOptions = withPathsFromInvocation(parsed.options);
  installInterruptCleanup();
  const log = (line: string): void => {
    if (!options.quiet) process.stdout.write(`${line}\n`);
  };
  // The data and the checks on them come first, so that a bad --data or --calib-every answers
  // before tfjs, the model and ONNX Runtime load.
  const [{ loadIdxDir, loadMnistPackage }, { checkData }] = await Promise.all([import('./data/index.js'), import('./preflight.js')]);
  const data = options.data ? loadIdxDir(options.data) : loadMnistPackage();
  checkData(data, options.calibEvery);
  const [{ setupCompute }, { nnModels }, { checkOnnx }, { runPipeline }] = await Promise.all([
    import('@pq/app-kit/compute'),
    import('./lenet/nnModels.js'),
    import('./onnxCheck.js'),
    import('./pipeline.js'),
  ]);
  log(await setupCompute(options.backend, options.kernels));
  log(`data: ${data.source}, ${data.train.count.toLocaleString('en-US')} train / ${data.test.count.toLocaleString('en-US')} test`);
  await runPipeline(options, { models: nnModels, data, out: process.stdout, checkOnnx, command: ['pnpm lenet', ...argv].join(' ') });
  return 0;
}

runCli('pq-lenet', main);
