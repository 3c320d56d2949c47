#!/usr/bin/env node
// `pnpm lenet`: parse options, set up compute, load MNIST, run the pipeline. Exit codes: 0 done,
// 1 failed, 2 bad command line (also an option that the data make meaningless, found before
// training), 130 interrupted (Ctrl-C; unfinished files removed).
// The heavy modules (tfjs, @pq/nn, onnxruntime) load only after the options are valid, so
// --help and usage errors answer at once.
import { isAbsolute, resolve } from 'node:path';
import { HELP, type LenetOptions, UsageError, parseLenetArgs } from './args.js';
import { installInterruptCleanup } from './io/atomicWrite.js';

/**
 * The directory the user ran the command in. `pnpm lenet` at the repository root runs this
 * script inside apps/lenet, and pnpm passes the original directory as INIT_CWD; relative
 * paths (--out, --data, --weights, --json) are meant from there.
 */
export function invocationDir(): string {
  return process.env['INIT_CWD'] ?? process.cwd();
}

function withPathsFrom(dir: string, o: LenetOptions): LenetOptions {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(dir, p));
  return {
    ...o,
    out: abs(o.out),
    data: o.data === null ? null : abs(o.data),
    weights: o.weights === null ? null : abs(o.weights),
    json: o.json === null ? null : abs(o.json),
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseLenetArgs(argv);
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const options: LenetOptions = withPathsFrom(invocationDir(), parsed.options);
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
    if (e instanceof UsageError) {
      process.stderr.write(`pq-lenet: ${e.message}\nRun with --help for the options.\n`);
      process.exit(2);
    }
    process.stderr.write(`pq-lenet: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
