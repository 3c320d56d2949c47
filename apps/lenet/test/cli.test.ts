// The command line as a user meets it: --help, usage errors and a bad --data directory, run
// as a child process (exit codes and messages).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
// The child is a plain Node process, not a vitest worker (@pq/nn sets up tfjs differently there).
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
const run = (...args: string[]) => runIn({}, ...args);
const runIn = (extraEnv: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, ['--conditions=@pq/source', '--import', 'tsx', cli, ...args], {
    encoding: 'utf8', timeout: 60_000, env: { ...env, ...extraEnv },
  });

describe('pq-lenet command line', () => {
  it('prints the help and exits 0', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^pnpm lenet \[options\]/);
    expect(r.stdout).toContain('--qat-from METHOD');
  });

  it('exits 2 with the option, the value and a hint on a usage error', () => {
    const r = run('--batch-size', '0');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('pq-lenet: --batch-size must be an integer >= 1, got "0"\nRun with --help for the options.\n');
  });

  it('exits 1 naming the missing IDX file for --data', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lenet-cli-'));
    const r = run('--data', dir, '--out', join(dir, 'out'), '--quiet');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^pq-lenet: --data .*: missing train-images-idx3-ubyte \(looked for .*train-images-idx3-ubyte and .*\.gz\)\n$/);
  });

  it('exits 2 before training when an option leaves nothing to calibrate on, and creates no --out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lenet-cli-'));
    const r = run('--calib-every', '100000', '--out', join(dir, 'out'), '--quiet');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'pq-lenet: --calib-every 100000 selects no calibration sample from 8,004 training samples; use --calib-every 8004 or less\n' +
        'Run with --help for the options.\n',
    );
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('resolves relative paths from where pnpm was invoked (INIT_CWD)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lenet-cli-'));
    const r = runIn({ INIT_CWD: dir }, '--data', 'mnist-files', '--quiet');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`pq-lenet: --data ${join(dir, 'mnist-files')}: no such directory\n`);
  });
});

describe('pq-lenet interrupted', () => {
  it('stops promptly on Ctrl-C during training with exit 130 and leaves no unfinished file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lenet-int-'));
    const out = join(dir, 'out');
    const child = spawn(process.execPath, ['--conditions=@pq/source', '--import', 'tsx', cli, '--epochs', '1', '--out', out], {
      env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('float epoch 1/1')) resolve();
      });
      void exited.then((code) => reject(new Error(`exited (${code}) before training: ${stderr}`)));
    });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/interrupted \(SIGINT\)/);
    const left = existsSync(out) ? readdirSync(out) : [];
    expect(left.filter((f) => f.startsWith('.') || f.endsWith('.tmp'))).toEqual([]);
    expect(stdout).not.toMatch(/outputs in/);
  });
});
