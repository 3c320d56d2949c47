// enableAcceleration({ threads }) in Chromium. On a cross-origin-isolated page, 2 threads train
// exactly as 1 (XNNPACK splits an operator's output among its threads, never a sum: see
// packages/nn/test/accel/threads.test.ts), on tfjs-wasm's threaded build (a shared heap), one
// after the other in one page (the switch replaces the wasm backend, which then holds no tensor).
// On a page served without COOP/COEP, threads > 1 is refused with the headers to send, and
// 1 thread (tfjs-wasm's single-threaded build) computes the same.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { bundlePage } from '../src/bundle.js';
import { withPage } from '../src/open-page.js';
import { tfjsWasmFiles } from '../src/wasm-files.js';
import type { ThreadsPage, ThreadsRun } from './pages/wasm-threads.js';

const PAGE = fileURLToPath(new URL('./pages/wasm-threads.ts', import.meta.url));
const files = await bundlePage({ contents: `import ${JSON.stringify(PAGE)};`, resolveDir: dirname(PAGE), title: 'pq wasm threads' });
for (const [path, bytes] of tfjsWasmFiles()) files.set(path, bytes);

function call<K extends keyof ThreadsPage>(page: Page, name: K, arg?: number): Promise<Awaited<ReturnType<ThreadsPage[K]>>> {
  return page.evaluate(
    ([n, a]) => (globalThis as unknown as { pqThreads: Record<string, (a?: number) => unknown> }).pqThreads[n]!(a),
    [name, arg] as const,
  ) as Promise<never>;
}

const isolated = await withPage(files, 'pqThreads', 60_000, async ({ page, pageErrors }) => {
  const one = await call(page, 'train', 1);
  const two = await call(page, 'train', 2);
  return { crossOriginIsolated: await call(page, 'isolated'), one, two, pageErrors };
});

const plain = await withPage(files, 'pqThreads', 60_000, async ({ page, pageErrors }) => {
  const refused = await call(page, 'refusal', 2);
  const one = await call(page, 'train', 1);
  return { crossOriginIsolated: await call(page, 'isolated'), refused, one, pageErrors };
}, { isolated: false });

const trained = (r: ThreadsRun) => r.losses.at(-1)! < r.losses[0]!;

describe('enableAcceleration({ threads }) in Chromium', () => {
  it('on a cross-origin-isolated page, trains on 2 threads bit for bit as on 1', () => {
    const { crossOriginIsolated, one, two } = isolated;
    expect(crossOriginIsolated).toBe(true);
    expect([one.backend, one.threads, two.backend, two.threads]).toEqual(['wasm', 1, 'wasm', 2]);
    expect(two.sharedMemory).toBe(true); // tfjs-wasm's threaded build, pq's kernels on its shared heap
    expect(trained(two)).toBe(true);
    expect(two.losses).toEqual(one.losses);
    expect(two.weights).toEqual(one.weights);
    expect(new Set(two.numTensors).size).toBe(1);
  });

  it('on a page that is not isolated, refuses threads > 1 naming COOP/COEP, and runs 1 thread the same', () => {
    const { crossOriginIsolated, refused, one } = plain;
    expect(crossOriginIsolated).toBe(false);
    expect(refused).toMatch(/threads \(2\) need a cross-origin-isolated page.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
    expect([one.backend, one.threads, one.sharedMemory]).toEqual(['wasm', 1, false]);
    expect(one.losses).toEqual(isolated.one.losses);
    expect(one.weights).toEqual(isolated.one.weights);
  });

  it('has no uncaught page errors', () => {
    expect([...isolated.pageErrors, ...plain.pageErrors]).toEqual([]);
  });
});
