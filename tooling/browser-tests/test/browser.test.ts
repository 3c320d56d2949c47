// Every package's browser suite (its test/browser.ts) in headless Chromium, one page for all;
// each in-page test is reported here as a test of its own.
import { describe, expect, it } from 'vitest';
import { runBrowserSuites } from '../src/run.js';
import { findBrowserSuites } from '../src/suites.js';

const suites = findBrowserSuites();
const run = await runBrowserSuites(suites);
console.log(`browser suites: ${run.results.length} tests, bundle ${run.bundleMs.toFixed(0)} ms, page ${run.runMs.toFixed(0)} ms`);

describe('Chromium', () => {
  it('runs the suites of core, calib, kernels-gpu and nn', () => {
    const labels = suites.map((s) => s.label);
    for (const p of ['@pq/core', '@pq/calib', '@pq/kernels-gpu', '@pq/nn']) expect(labels).toContain(p);
    for (const p of labels) expect(run.results.some((r) => r.name.startsWith(`${p} > `)), p).toBe(true);
  });
  it('has no uncaught page errors', () => {
    expect(run.pageErrors).toEqual([]);
  });
  for (const r of run.results) {
    it(r.name, () => {
      if (!r.ok) throw new Error(r.error);
    });
  }
});
