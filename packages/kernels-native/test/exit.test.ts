// A program that used the native kernels exits on its own: the pool's idle threads (one pool per
// Node environment, a worker_thread's joined when it ends) do not hold the event loop open.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { loadNativeKernels } from '../src/index.js';

it.runIf(loadNativeKernels())('lets a script that ran the kernels on several threads, in a worker_thread too, exit by itself', () => {
  const script = fileURLToPath(new URL('./fixtures/exit_script.ts', import.meta.url));
  const run = spawnSync(process.execPath, ['--conditions=@pq/source', '--import', import.meta.resolve('tsx'), script], { encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).toBe('');
  expect([run.status, run.stdout.trim()]).toEqual([0, 'done 192 192']);
});
