// One headless Chromium page on served files: serve, launch, open, wait for the page's global
// `ready`, hand the page to `use`, then close everything. Page errors are collected, not thrown.
import type { Page } from 'playwright-core';
import type { PageFiles } from './bundle.js';
import { launchChromium } from './chromium.js';
import { serveFiles, type ServeOptions } from './serve.js';

export interface OpenedPage {
  readonly page: Page;
  /** Uncaught errors and console.error lines from the page so far. */
  readonly pageErrors: string[];
}

export async function withPage<T>(
  files: PageFiles, ready: string, timeoutMs: number, use: (p: OpenedPage) => Promise<T>, serve: ServeOptions = {},
): Promise<T> {
  const served = await serveFiles(files, serve);
  try {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') pageErrors.push(m.text());
      });
      await page.goto(served.url);
      await page.waitForFunction((name) => name in globalThis, ready, { timeout: 30_000 });
      page.setDefaultTimeout(timeoutMs);
      return await use({ page, pageErrors });
    } finally {
      await browser.close();
    }
  } finally {
    await served.close();
  }
}
