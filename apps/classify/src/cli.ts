#!/usr/bin/env node
// `pnpm classify`: parse options, set up compute, read the data, run the flow. Exit codes: 0
// done, 1 failed, 2 bad command line (also an option the data make meaningless, found before
// any work), 130 interrupted (Ctrl-C; unfinished files removed). The heavy modules (tfjs,
// @pq/nn, the model zoo) load only after the options are valid, so --help answers at once.
import { fromInvocationDir, installInterruptCleanup, runCli } from '@pq/app-kit/node';
import { type ClassifyOptions, checkModelName, helpText, parseClassifyArgs } from './args.js';

/** Relative paths (--out, --data, --weights, --json) are meant from where the user ran the command. */
function withPathsFromInvocation(o: ClassifyOptions): ClassifyOptions {
  return { ...o, out: fromInvocationDir(o.out), data: fromInvocationDir(o.data), weights: fromInvocationDir(o.weights), json: fromInvocationDir(o.json) };
}

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseClassifyArgs(argv);
  if (parsed.help) {
    process.stdout.write(helpText());
    return 0;
  }
  const o = withPathsFromInvocation(parsed.options);
  installInterruptCleanup();
  const log = (line: string): void => {
    if (!o.quiet) process.stdout.write(`${line}\n`);
  };
  const [{ setupCompute }, { loadData }, { MODELS }, { runFlow }] = await Promise.all([
    import('@pq/app-kit/compute'), import('./data/index.js'), import('./models.js'), import('./flow.js'),
  ]);
  checkModelName(o.model, Object.keys(MODELS));
  log(await setupCompute(o.backend, o.kernels));
  const data = loadData(o);
  log(`data: ${data.source}, ${data.train.count.toLocaleString('en-US')} train / ${data.val.count.toLocaleString('en-US')} val, ${data.classes.length} classes`);
  await runFlow(o, { data, models: MODELS, out: process.stdout, command: ['pnpm classify', ...argv].join(' ') });
  return 0;
}

runCli('pq-classify', main);
