#!/usr/bin/env node
// `pnpm lenet`: parse options, set up compute, load MNIST, run the pipeline. Exit codes: 0 done,
// 1 failed, 2 bad command line, 130 interrupted (Ctrl-C; unfinished files removed).
// The heavy modules (tfjs, @pq/nn, onnxruntime) load only after the options are valid, so
// --help and usage errors answer at once.
import { HELP, type LenetOptions, UsageError, parseLenetArgs } from './args.js';
import { installInterruptCleanup } from './io/atomicWrite.js';

export async function main(argv: readonly string[]): Promise<number> {
  let options: LenetOptions;
  try {
    const parsed = parseLenetArgs(argv);
    if (parsed.help) {
      process.stdout.write(HELP);
      return 0;
    }
    options = parsed.options;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`pq-lenet: ${e.message}\nRun with --help for the options.\n`);
    return 2;
  }
  installInterruptCleanup();
  const log = (line: string): void => {
    if (!options.quiet) process.stdout.write(`${line}\n`);
  };
  const [{ setupCompute }, { loadIdxDir, loadMnistPackage }, { nnModels }, { checkOnnx }, { runPipeline }] = await Promise.all([
    import('./compute.js'),
    import('./data/index.js'),
    import('./lenet/nnModels.js'),
    import('./onnxCheck.js'),
    import('./pipeline.js'),
  ]);
  const data = options.data ? loadIdxDir(options.data) : loadMnistPackage();
  log(await setupCompute(options.backend, options.kernels));
  log(`data: ${data.source}, ${data.train.count.toLocaleString('en-US')} train / ${data.test.count.toLocaleString('en-US')} test`);
  await runPipeline(options, { models: nnModels, data, out: process.stdout, checkOnnx, command: ['pnpm lenet', ...argv].join(' ') });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`pq-lenet: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
