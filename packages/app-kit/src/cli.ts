// What every app's entry point does around its work: paths meant from where the user ran the
// command, and the exit codes 0 done, 1 failed, 2 bad command line, 130 / 143 interrupted
// (installInterruptCleanup exits with those).
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from './args.js';

/**
 * The directory the user ran the command in. `pnpm lenet` at the repository root runs the app's
 * script inside its package folder, and pnpm passes the original directory as INIT_CWD;
 * relative paths (--out, --data, --weights, ...) are meant from there.
 */
export function invocationDir(): string {
  return process.env['INIT_CWD'] ?? process.cwd();
}

/** `path` made absolute from the invocation directory (null stays null). */
export function fromInvocationDir<T extends string | null>(path: T, dir = invocationDir()): T {
  return (path === null ? null : isAbsolute(path) ? path : resolve(dir, path)) as T;
}

/**
 * Runs `main` and exits with its code; a UsageError prints `name: message` and the --help hint
 * and exits 2, any other error prints `name: message` and exits 1.
 */
export function runCli(name: string, main: (argv: readonly string[]) => Promise<number>, argv = process.argv.slice(2)): void {
  main(argv).then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof UsageError) {
        process.stderr.write(`${name}: ${e.message}\nRun with --help for the options.\n`);
        process.exit(2);
      }
      process.stderr.write(`${name}: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
