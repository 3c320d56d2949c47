// enableAcceleration({ threads: 2 }): pq's native kernels (where built) on 2 threads, the wasm
// backend single-threaded, and with native: false tfjs-wasm's threaded build under Node; both
// split outputs only. Each thread count
// trains the same small model in a child process (threads_child.ts). XNNPACK splits an operator's
// output among its threads, never a sum, so every value is computed by the same instructions in
// the same order whichever thread runs it: the float tolerance this derives is zero, and the
// losses and weights are compared bit for bit. The threaded run's numTensors and wasm heap stay
// flat, pq's SIMD kernels run on its shared memory, and the child exits by itself with the
// workers idle.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { enableAcceleration } from '../../src/accel/index.js';
import type { NativeState } from '../../src/accel/native_provider.js';
import { nativeUnavailableReason } from '@pq/kernels-native';

interface Run { losses: number[]; weights: number[]; numTensors: number[]; heapBytes: number[]; threads: number; native: NativeState; pqKernels: boolean; ms: number }

const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./threads_child.ts', import.meta.url));
const STEPS = 20;
// The native kernels split every call over their threads, however small (their default leaves
// this small model's calls on one thread), so that the 2-thread run exercises the splits.
const SPLIT_ALWAYS = { ...process.env, PQ_KERNELS_SPLIT: 'always' };

function train(threads: number, native = true): Promise<Run> {
  return new Promise((resolve, reject) => {
    // A child that does not end by itself is killed at the timeout, and fails the test. The
    // timeout catches a hang (idle workers keeping Node alive), not slowness: under `pnpm test`
    // every suite shares two cores, so the child may get a small share of one.
    execFile(process.execPath, ['--import', 'tsx', '--conditions=@pq/source', CHILD, String(threads), String(STEPS), native ? 'native-on' : 'native-off'], { cwd: PACKAGE, timeout: 240_000, env: SPLIT_ALWAYS }, (err, stdout, stderr) => {
      if (err) {
        const killed = err.killed ? ` (killed by ${err.signal ?? 'a signal'} after 240 s: it did not end by itself)` : '';
        reject(new Error(`threads_child ${threads}: ${err.message}${killed}\n${stderr}`));
      }
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Run);
    });
  });
}

describe('enableAcceleration({ threads })', () => {
  it('trains on 2 threads exactly as on 1, with flat memory, and lets Node exit', async () => {
    const [one, two, wasmOne, wasmTwo] = await Promise.all([train(1), train(2), train(1, false), train(2, false)]);
    // Where the native kernels load, `threads` is theirs and the wasm backend stays single-threaded;
    // with native: false (and where they do not load) it is tfjs-wasm's threaded build's.
    const reason = nativeUnavailableReason();
    const native = (threads: number): NativeState => (reason === null ? { active: true, threads, reason: null } : { active: false, threads: 0, reason });
    expect([one.native, two.native]).toEqual([native(1), native(2)]);
    expect([one.threads, two.threads]).toEqual(reason === null ? [1, 1] : [1, 2]);
    expect([wasmOne.threads, wasmTwo.threads]).toEqual([1, 2]);
    expect(wasmTwo.native).toEqual({ active: false, threads: 0, reason: 'turned off by enableAcceleration({ native: false })' });
    for (const r of [one, two, wasmOne, wasmTwo]) expect(r.pqKernels).toBe(true); // on the threaded build's shared memory too
    for (const [a, b] of [[one, two], [wasmOne, wasmTwo]] as const) {
      expect(b.losses).toHaveLength(STEPS);
      expect(b.losses[STEPS - 1]).toBeLessThan(b.losses[0]!); // it trains
      expect(b.losses).toEqual(a.losses);
      expect(b.weights).toEqual(a.weights);
      expect(new Set(b.numTensors).size).toBe(1);
      expect(new Set(b.heapBytes).size).toBe(1);
    }
  });

  it('refuses a bad thread count, and threads off the wasm backend, before changing anything', async () => {
    for (const threads of [0, 9, 1.5, '2']) {
      await expect(enableAcceleration({ threads: threads as number })).rejects.toThrow(/threads must be an integer from 1 to 8/);
    }
    await expect(enableAcceleration({ backend: 'cpu', threads: 2 })).rejects.toThrow(/threads \(2\) are for the wasm backend, not 'cpu'/);
  });
});
