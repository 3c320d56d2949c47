// Runs every package's browser suite in one headless Chromium page: bundle once, launch once.
import { pathToFileURL } from 'node:url';
import { bundleSuites } from './bundle.js';
import type { TestResult } from './page/vitest-shim.js';
import { withPage } from './open-page.js';
import type { BrowserSuite } from './suites.js';

export type { TestResult };

export interface SuiteRun {
  readonly results: TestResult[];
  /** Uncaught errors and console.error lines from the page. */
  readonly pageErrors: string[];
  readonly bundleMs: number;
  readonly runMs: number;
}

/** What the suites' browser.provide.ts files compute in Node, merged. */
async function provideAll(suites: readonly BrowserSuite[]): Promise<Record<string, unknown>> {
  const provided: Record<string, unknown> = {};
  for (const s of suites) {
    if (s.provide === null) continue;
    const mod = (await import(pathToFileURL(s.provide).href)) as { provide?: () => unknown };
    if (typeof mod.provide !== 'function') throw new Error(`${s.provide} exports no provide()`);
    Object.assign(provided, await mod.provide());
  }
  return provided;
}

export async function runBrowserSuites(suites: readonly BrowserSuite[], timeoutMs = 120_000): Promise<SuiteRun> {
  const provided = await provideAll(suites);
  const t0 = performance.now();
  const files = await bundleSuites(suites);
  const bundleMs = performance.now() - t0;
  return withPage(files, 'pqRunSuites', timeoutMs, async ({ page, pageErrors }) => {
    const t1 = performance.now();
    const results = await page.evaluate(
      (p) => (globalThis as unknown as { pqRunSuites: (p: Record<string, unknown>) => Promise<TestResult[]> }).pqRunSuites(p),
      provided,
    );
    return { results, pageErrors, bundleMs, runMs: performance.now() - t1 };
  });
}
