// pnpm bench (tooling/browser-tests): one headless Chromium page (the browser suites' bundler,
// server and Chromium) runs page.ts, and this prints its tables: LeNet training samples/s per
// tfjs backend, with the stock cpu backend as the baseline, and @pq/kernels-gpu's fake quant
// per gpu.js backend against @pq/core's jsKernels. Ratios > 1: faster than the baseline.
import { cpus, platform, arch } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '@pq/bench-utils';
import { bundlePage } from '../src/bundle.js';
import { withPage } from '../src/open-page.js';
import type { Bench, KernelRow, ThreadsRow, TrainingRow } from './page.js';
import { tfjsWasmFiles } from '../src/wasm-files.js';

const PAGE = fileURLToPath(new URL('./page.ts', import.meta.url));

const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const num = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const ratio = (v: number | string, base: number | string) => (typeof v === 'number' && typeof base === 'number' ? `${(v / base).toFixed(2)}x` : '-');

function trainingTable(rows: TrainingRow[]): string {
  const base = rows[0]!;
  return table(
    ['tfjs backend', 'float samples/s', 'vs cpu', 'QAT samples/s', 'vs cpu', 'timed steps'],
    rows.map((r) => [
      r.backend,
      typeof r.float === 'number' ? num(r.float) : r.float, ratio(r.float, base.float),
      typeof r.qat === 'number' ? num(r.qat) : r.qat, ratio(r.qat, base.qat),
      String(r.steps),
    ]),
  );
}

function threadsTable(rows: ThreadsRow[]): string {
  const cell = (v: number | string) => (typeof v === 'number' ? num(v) : v);
  return table(
    ['LeNet', '1 thread samples/s', '2 threads samples/s', '2 vs 1 (median)', '2 vs 1 per round'],
    rows.map((r) => [r.model, cell(r.one), cell(r.two), r.ratios.length ? `${median(r.ratios).toFixed(2)}x` : '-', r.ratios.map((x) => `${x.toFixed(2)}x`).join(', ')]),
  );
}

function kernelTable(rows: KernelRow[]): string {
  const names = Object.keys(rows[0]?.rates ?? {}).filter((n) => n !== 'jsKernels');
  return table(
    ['size', 'kernel', 'jsKernels Melem/s', ...names.flatMap((n) => [`${n} Melem/s`, `${n} vs js`])],
    rows.map((r) => {
      const js = r.rates['jsKernels']!;
      const cell = (v: number | string | undefined) => (typeof v === 'number' ? num(v / 1e6) : (v ?? '-'));
      return [r.size, r.kernel, cell(js), ...names.flatMap((n) => [cell(r.rates[n]), ratio(r.rates[n]!, js)])];
    }),
  );
}

async function main(): Promise<void> {
  const files = await bundlePage({ contents: `import ${JSON.stringify(PAGE)};`, resolveDir: dirname(PAGE), title: 'pq browser bench' });
  for (const [path, bytes] of tfjsWasmFiles()) files.set(path, bytes);
  await withPage(files, 'pqBench', 600_000, async ({ page, pageErrors }) => {
    page.on('console', (m) => {
      if (m.text().startsWith('[bench]')) console.error(m.text());
    });
    const bench = <K extends keyof Bench>(k: K): Promise<Awaited<ReturnType<Bench[K]>>> =>
      page.evaluate((name: string) => (globalThis as unknown as { pqBench: Record<string, () => Promise<unknown>> }).pqBench[name]!(), k) as Promise<never>;
    const info = await bench('info');
    const chromium = page.context().browser()?.version() ?? '?';
    console.log(`Chromium ${chromium} headless (${info.userAgent})`);
    console.log(`${cpus()[0]?.model ?? 'CPU'} x${cpus().length}, ${platform()}/${arch()}; page: ${info.hardwareConcurrency} threads, crossOriginIsolated ${info.crossOriginIsolated}`);
    console.log(`WebGL2: ${info.webgl2}; WebGPU: ${info.webgpu}\n`);
    const training = await bench('training');
    console.log(`LeNet training (apps/lenet's @pq/nn LeNet, batch 64, SGD momentum; median step after 2 warm-up steps):\n`);
    console.log(trainingTable(training));
    const threads = await bench('threads');
    console.log(`\nLeNet training on 1 and on 2 wasm threads (enableAcceleration({ threads }), batch 64; rounds of 1 then 2 threads, median step of each):\n`);
    console.log(threadsTable(threads));
    const kernels = await bench('kernels');
    console.log(`\n@pq/kernels-gpu fakeTensorQuant (8 bits) vs @pq/core jsKernels (WebAssembly SIMD ${kernels.simd ? 'on' : 'off'}), host arrays in and out, each result bit-equal to jsKernels:\n`);
    console.log(kernelTable(kernels.rows));
    console.log(`\ncreateGpuKernels() ('auto') runs ${kernels.auto} in this page.`);
    for (const [mode, why] of Object.entries(kernels.refused)) console.log(`\n${mode}: not run (${why})`);
    if (pageErrors.length) console.error(`\npage errors:\n  ${pageErrors.join('\n  ')}`);
  });
}

await main();
