#!/usr/bin/env node
// `pq`: the command line (`pq quantize`, `pq inspect`). Exit codes: 0 done, 1 failed, 2 bad
// command line (or data that do not fit the model, found before any work), 130 / 143
// interrupted (unfinished files removed). The heavy modules (tfjs, @pq/nn, onnxruntime) load
// only once the command line is valid, so --help and usage errors answer at once.
import { fromInvocationDir, installInterruptCleanup, runCli } from '@pq/app-kit/node';
import { parseCommand, type QuantizeOptions } from './args.js';

/** Relative paths are meant from where the user ran the command. */
function withPaths(o: QuantizeOptions): QuantizeOptions {
  return {
    ...o,
    model: fromInvocationDir(o.model),
    calib: fromInvocationDir(o.calib),
    output: fromInvocationDir(o.output),
    qatData: fromInvocationDir(o.qatData),
    labels: fromInvocationDir(o.labels),
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseCommand(argv);
  if (parsed.command === 'help') {
    process.stdout.write(parsed.text);
    return 0;
  }
  if (parsed.command === 'inspect') {
    const { inspectFile } = await import('./inspect.js');
    process.stdout.write(`${inspectFile(fromInvocationDir(parsed.model), parsed.model).lines.join('\n')}\n`);
    return 0;
  }
  const options = withPaths(parsed.options);
  installInterruptCleanup();
  const { runQuantize } = await import('./quantize.js');
  await runQuantize(options, (line) => {
    if (!options.quiet) process.stdout.write(`${line}\n`);
  });
  return 0;
}

runCli('pq', main);
