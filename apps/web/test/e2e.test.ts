// The demo page end to end in headless Chromium: the site built by Vite and served by Vite's
// preview server (cross-origin isolated), a short run on the wasm backend (one float epoch on
// 2,048 training digits, the four calibrations, one QAT epoch, the weights on @pq/kernels-gpu,
// the ONNX export in onnxruntime-web), then a digit drawn on the canvas. What the page shows is
// read from its data-testid elements; a screenshot goes to test-results/ (a CI artifact).
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readMnistPackageDigits } from '@pq/app-kit/node';
import { launchChromium } from '@pq/browser-tests';
import { gather, splitDigits } from '@pq/lenet-app/browser';
import { enableAcceleration } from '@pq/nn';
import type { Browser, Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config.js';
import { type FlowResult, trainCalibrateQat } from '../src/flow.js';
import { spread } from '../src/slice.js';

const APP = join(import.meta.dirname, '..');
const RESULTS = join(APP, 'test-results');
const SITE = join(RESULTS, 'site');
const TRAIN = 2048;
const TEST = 500;
const RUN = `?train=${TRAIN}&test=${TEST}&epochs=1&qat=1&backend=wasm`;

let server: PreviewServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let runSeconds = 0;
/** The same run on Node (the CLI's tfjs wasm backend), for the page to be compared with. */
let node: FlowResult;
let nodeTest: ReturnType<typeof spread>;

/** The data-value of the element with that data-testid. */
async function value(id: string): Promise<string> {
  const v = await page.getAttribute(`[data-testid="${id}"]`, 'data-value');
  if (v === null) throw new Error(`page: [data-testid="${id}"] has no data-value (text: ${await page.textContent(`[data-testid="${id}"]`)})`);
  return v;
}
const num = async (id: string): Promise<number> => Number(await value(id));

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  await build({ root: APP, logLevel: 'error', build: { outDir: SITE, emptyOutDir: true } });
  server = await preview({ root: APP, logLevel: 'error', build: { outDir: SITE }, preview: { host: '127.0.0.1', port: 0, open: false } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  // Timeouts catch a hang: `pnpm test` runs every suite at once, so on a 2-core machine this
  // page gets a fraction of a core.
  page.setDefaultTimeout(120_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  await page.goto(`${server.resolvedUrls!.local[0]}${RUN}`);
  await page.click('[data-testid="run"]');
  const t0 = performance.now();
  await page.waitForSelector('[data-testid="status"][data-done], [data-testid="status"][data-error]', { timeout: 240_000 });
  runSeconds = (performance.now() - t0) / 1000;
  const error = await page.getAttribute('[data-testid="status"]', 'data-error');
  if (error !== null) throw new Error(`the page failed: ${error}`);
  const split = splitDigits(readMnistPackageDigits());
  nodeTest = spread(split.test, TEST);
  // The page has no native kernels: bit for bit needs Node on the same ones (tfjs-wasm and pq's
  // wasm kernels), not @pq/kernels-native, which sums in another order.
  await enableAcceleration({ native: false });
  try {
    node = await trainCalibrateQat({ ...DEFAULT_CONFIG, epochs: 1, qatEpochs: 1 }, { source: 'mnist package', train: spread(split.train, TRAIN), test: nodeTest });
  } finally {
    await enableAcceleration();
  }
});

afterAll(async () => {
  node?.float.dispose();
  node?.qat.dispose();
  if (page) await page.screenshot({ path: join(RESULTS, 'web-app.png'), fullPage: true }).catch(() => {});
  await browser?.close();
  await server?.close();
});

describe('the demo page in Chromium (wasm backend, 2,048 training digits, one epoch)', () => {
  it('is cross-origin isolated and trains on the backend the URL asks for, on 2 threads', async () => {
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(await page.textContent('[data-testid="backend"]')).toBe('wasm');
    // An isolated page's default; Node's run below is on 1 thread, and every result equals it.
    expect(await value('threads')).toBe('2');
    expect(['webgpu', 'webgl', 'wasm']).toContain(await value('backend-fastest'));
    expect(await num('train-speed')).toBeGreaterThan(0);
    // Shown, not asserted (a time): how long the page's main thread was blocked at most.
    console.log(`longest main-thread task ${await value('longest-task')} ms, float training ${(await num('train-speed')).toFixed(0)} samples/s`);
  });

  it('trains the float model well above chance, calibrates four ways, and QAT keeps the accuracy', async () => {
    const float = await num('accuracy-float');
    const acc: Record<string, number> = {};
    for (const m of ['max', 'percentile', 'mse', 'entropy', 'qat', 'ort']) acc[m] = await num(`accuracy-${m}`);
    console.log(`run ${runSeconds.toFixed(1)} s; test accuracy: float ${float}, ${Object.entries(acc).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    // 32 steps of SGD: a fresh LeNet is at chance (10%); after them it is at 60-75% on any CPU
    // (wasm computes the same everywhere; the bound leaves room for the CLI's defaults to move).
    expect(float).toBeGreaterThan(0.5);
    // Entropy calibration of so young a model clips hard (about 50% here); all stay well above chance.
    for (const m of ['max', 'percentile', 'mse', 'entropy']) expect(acc[m], m).toBeGreaterThan(0.3);
    expect(acc['qat']).toBeGreaterThan(0.5);
    expect(await page.locator('[data-testid^="histogram-"] svg.marks').count()).toBe(4);
  });

  it('computes what the same run on Node computes: the same accuracies and every amax bit for bit', async () => {
    expect(await num('accuracy-float')).toBe(node.floatAccuracy);
    expect(await num('accuracy-qat')).toBe(node.qatAccuracy);
    const amax = JSON.parse(await value('calib-amax')) as Record<string, Record<string, number[]>>;
    for (const [method, r] of Object.entries(node.calibration.results)) {
      expect(await num(`accuracy-${method}`), method).toBe(r.accuracy);
      expect(amax[method], method).toEqual(r.amax);
    }
    expect(Object.keys(amax['entropy']!)).toContain('conv1._input_quantizer._amax');
  });

  it('downloads the very ONNX file Node exports from its QAT model (every weight and amax after QAT)', async () => {
    const pageSha = await page.evaluate(async () => {
      const href = document.querySelector<HTMLAnchorElement>('[data-testid="onnx-download"]')!.href;
      const digest = await crypto.subtle.digest('SHA-256', await (await fetch(href)).arrayBuffer());
      return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    });
    const bytes = node.qat.exportOnnx(gather(nodeTest, [0]));
    expect(pageSha).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('fake-quantizes the weights with @pq/kernels-gpu bit for bit as jsKernels', async () => {
    const reason = await page.textContent('[data-testid="gpu-reason"]');
    console.log(`kernels-gpu backend ${await value('gpu-backend')}: ${reason}`);
    // next to wasm the page asks for 'auto', which on Chromium's software GPU runs jsKernels and says why
    expect(await value('gpu-backend')).toBe('core');
    expect(reason).toMatch(/webgl2 is a software renderer \(SwiftShader\)/);
    expect(await num('gpu-mismatches')).toBe(0);
    expect(await page.locator('[data-testid="gpu-table"] tbody tr').count()).toBe(4);
  });

  it('fake-quantizes the weights again on gpu.js WebGPU, picked on the page: bit for bit as jsKernels', async () => {
    // Asked for by name, WebGPU runs even on the software adapter (it passes the self-test).
    await page.selectOption('[data-testid="gpu-mode"]', 'webgpu');
    await page.click('[data-testid="gpu-rerun"]');
    await page.waitForSelector('[data-testid="gpu-runs"][data-value="2"]', { timeout: 60_000 });
    expect(await value('gpu-backend')).toBe('webgpu');
    expect(await num('gpu-mismatches')).toBe(0);
    expect(await page.locator('[data-testid="gpu-table"] tbody tr').count()).toBe(4);
  });

  it('exports an ONNX model that onnxruntime-web runs with the argmax of pq on every test digit', async () => {
    expect(await num('onnx-download')).toBeGreaterThan(10_000);
    expect(await page.getAttribute('[data-testid="onnx-download"]', 'download')).toBe('lenet-qat.onnx');
    const agreement = await num('ort-agreement');
    const maxDiff = await num('ort-maxdiff');
    console.log(`ORT agreement ${agreement}, max |diff| ${maxDiff}, differing ${await value('ort-differing')}`);
    expect(agreement).toBe(1);
    expect(await num('accuracy-ort')).toBe(await num('accuracy-qat'));
    // Outputs differ only where a value sat on a rounding boundary of a quantizer (summation order).
    expect(await num('ort-differing')).toBeLessThan(25);
  });

  it('predicts a digit drawn on the canvas with the float, int8 and ONNX models', async () => {
    await page.locator('[data-testid="draw-canvas"]').scrollIntoViewIfNeeded();
    const b = (await page.locator('[data-testid="draw-canvas"]').boundingBox())!;
    // A "1": one vertical stroke down the middle.
    await page.mouse.move(b.x + b.width / 2, b.y + b.height * 0.15);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(b.x + b.width / 2, b.y + b.height * (0.15 + 0.07 * k));
    await page.mouse.up();
    await page.waitForSelector('[data-testid="draw-count"][data-value="1"]', { timeout: 60_000 });
    const preds = await Promise.all(['float', 'int8', 'ort'].map((c) => num(`draw-pred-${c}`)));
    const probs = await Promise.all(['float', 'int8', 'ort'].map(async (c) => Number(await page.getAttribute(`[data-testid="draw-pred-${c}"]`, 'data-prob'))));
    console.log(`drawn "1" predicted ${preds.join(' / ')} with probabilities ${probs.map((p) => p.toFixed(3)).join(' / ')}`);
    for (const p of preds) expect(Number.isInteger(p) && p >= 0 && p <= 9).toBe(true);
    // The predicted class is the most probable of ten: above 10%.
    for (const p of probs) expect(p > 0.1 && p <= 1).toBe(true);
    // pq's int8 model and its ONNX export are the same computation.
    expect(preds[2]).toBe(preds[1]);
    // Predicting again (a test digit) leaves tfjs's tensor count where it was: nothing leaks.
    const tensors = await num('draw-tensors');
    await page.click('[data-testid="draw-sample"]');
    await page.waitForSelector('[data-testid="draw-count"][data-value="2"]', { timeout: 60_000 });
    expect(await num('draw-tensors')).toBe(tensors);
  });

  it('logs no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
