// esbuild bundles of pages for headless Chromium: workspace packages resolve to their
// TypeScript sources, the rest to their browser builds. Nothing is polyfilled: a Node built-in
// in a page's import graph fails here. bundleSuites is every package's browser suite in one
// page ('vitest' resolves to the page-side shim); bundlePage any other entry (the bench).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { BrowserSuite } from './suites.js';

const SHIM = fileURLToPath(new URL('./page/vitest-shim.ts', import.meta.url));
const RUNNER = fileURLToPath(new URL('./page/runner.ts', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));

/** URL path -> file content: what serveFiles serves. */
export type PageFiles = Map<string, Uint8Array | string>;

export interface PageOptions {
  /** The entry module's source (TypeScript); its imports resolve from `resolveDir`. */
  readonly contents: string;
  readonly resolveDir: string;
  readonly title: string;
  /** Module aliases (e.g. vitest -> the page shim). */
  readonly alias?: Record<string, string>;
}

/** index.html, the entry and its chunks. */
export async function bundlePage(o: PageOptions): Promise<PageFiles> {
  const result = await build({
    stdin: { contents: o.contents, resolveDir: o.resolveDir, sourcefile: 'page-entry.ts', loader: 'ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: '/bundle',
    write: false,
    conditions: ['@pq/source', 'module'],
    alias: o.alias ?? {},
    // the suites are side-effect imports of packages marked "sideEffects": false; keep them
    ignoreAnnotations: true,
    entryNames: 'entry',
    logLevel: 'silent',
  });
  const files: PageFiles = new Map();
  for (const f of result.outputFiles) files.set(f.path.slice('/bundle'.length), f.contents);
  files.set('/index.html', `<!doctype html><meta charset="utf-8"><title>${o.title}</title><link rel="icon" href="data:,"><script type="module" src="/entry.js"></script>`);
  return files;
}

/** Every suite registered with the page runner, in one page. */
export async function bundleSuites(suites: readonly BrowserSuite[]): Promise<PageFiles> {
  const lines = [`import { registerSuite } from ${JSON.stringify(RUNNER)};`];
  for (const s of suites) {
    lines.push(`registerSuite(${JSON.stringify(s.label)}, () => import(${JSON.stringify(s.file)}));`);
  }
  return bundlePage({ contents: lines.join('\n'), resolveDir: HERE, title: 'pq browser tests', alias: { vitest: SHIM } });
}
