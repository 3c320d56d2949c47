// One esbuild bundle of every package's browser suite, for one page: 'vitest' resolves to the
// page-side shim, workspace packages to their TypeScript sources, and the rest to their
// browser builds. Nothing is polyfilled: a Node built-in in a suite's import graph fails here.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { BrowserSuite } from './suites.js';

const SHIM = fileURLToPath(new URL('./page/vitest-shim.ts', import.meta.url));
const RUNNER = fileURLToPath(new URL('./page/runner.ts', import.meta.url));

/** URL path -> file content: index.html, the entry and its chunks. */
export async function bundleSuites(suites: readonly BrowserSuite[]): Promise<Map<string, Uint8Array | string>> {
  const lines = [`import { registerSuite } from ${JSON.stringify(RUNNER)};`];
  for (const s of suites) {
    lines.push(`registerSuite(${JSON.stringify(s.label)}, () => import(${JSON.stringify(s.file)}));`);
  }
  const result = await build({
    stdin: { contents: lines.join('\n'), resolveDir: fileURLToPath(new URL('.', import.meta.url)), sourcefile: 'suites-entry.ts', loader: 'ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: '/bundle',
    write: false,
    conditions: ['@pq/source', 'module'],
    alias: { vitest: SHIM },
    // the suites are side-effect imports of packages marked "sideEffects": false; keep them
    ignoreAnnotations: true,
    entryNames: 'entry',
    logLevel: 'silent',
  });
  const files = new Map<string, Uint8Array | string>();
  for (const f of result.outputFiles) files.set(f.path.slice('/bundle'.length), f.contents);
  files.set('/index.html', '<!doctype html><meta charset="utf-8"><title>pq browser tests</title><link rel="icon" href="data:,"><script type="module" src="/entry.js"></script>');
  return files;
}
