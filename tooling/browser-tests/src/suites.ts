// The test files each workspace package runs in the browser: its `test/browser.ts`, which
// imports the package's own suites (and adds browser-only ones, e.g. WebGL2/WebGPU kernels),
// and optionally `test/browser.provide.ts`, whose `provide()` computes in Node the values the
// page reads with vitest's inject() (to compare Chromium's results with Node's).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface BrowserSuite {
  /** The package's name, e.g. '@pq/core'. */
  readonly label: string;
  /** Absolute path of its test/browser.ts. */
  readonly file: string;
  /** Its test/browser.provide.ts, when it has one: `provide()` computes, in Node, what the page's inject() returns. */
  readonly provide: string | null;
}

/** Every packages/* and apps/* package with a test/browser.ts, in name order. */
export function findBrowserSuites(root = REPO_ROOT): BrowserSuite[] {
  const found: BrowserSuite[] = [];
  for (const group of ['packages', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const file = join(dir, name, 'test', 'browser.ts');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')) as { name: string };
      const provide = join(dir, name, 'test', 'browser.provide.ts');
      found.push({ label: pkg.name, file, provide: existsSync(provide) ? provide : null });
    }
  }
  return found;
}
