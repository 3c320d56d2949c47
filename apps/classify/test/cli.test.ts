// The command line as a user meets it, run as a child process: help, usage errors (exit 2), a
// bad --data (exit 1), and relative paths taken from where pnpm was invoked.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
// The child is a plain Node process, not a vitest worker (@pq/nn sets up tfjs differently there).
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
const run = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--conditions=@pq/source', '--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...env, INIT_CWD: cwd } });

describe('pq-classify command line', () => {
  it('prints the help and exits 0; exits 2 with the option and a hint on a usage error', () => {
    const help = run(tmpdir(), '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^pnpm classify \[options\]/);
    const bad = run(tmpdir(), '--num-calib-batch', 'four');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('pq-classify: --num-calib-batch must be an integer >= 0, got "four"\nRun with --help for the options.\n');
  });

  it('exits 2 for an unknown model and 1 for a missing --data folder (relative to INIT_CWD), creating no --out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'classify-cli-'));
    const unknown = run(dir, '--model', 'resnet7', '--out', 'out');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^pq-classify: --model must be one of resnet18, resnet34, .*mobilenet_v2.*, got "resnet7"/);
    const missing = run(dir, '--data', 'imagenet', '--out', 'out', '--quiet');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`pq-classify: --data ${join(dir, 'imagenet')}: image folder ${join(dir, 'imagenet', 'train')}: no such folder\n`);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
