// The built @pq/nn in a browser bundle: Vite bundles scripts/browser_entry.js (a plain
// `import { QuantLinear } from '@pq/nn'`) for the browser with no polyfills, and the bundle runs
// a forward and backward pass in a context that has only browser globals (no process, require,
// Buffer or Node modules).
import { runInContext, createContext } from 'node:vm';
import { join } from 'node:path';
import { build, type Plugin, type Rollup } from 'vite';
import { beforeAll, describe, expect, it } from 'vitest';

let code = '';
/** Every module that imports a Node built-in Vite left out of the bundle, and which built-in. */
const nodeImports: Array<{ importer: string; builtin: string }> = [];
/** Every module in the bundle. */
const bundled: string[] = [];

const collectNodeImports: Plugin = {
  name: 'collect-node-imports',
  generateBundle() {
    bundled.push(...this.getModuleIds());
    for (const id of this.getModuleIds()) {
      if (!id.includes('__vite-browser-external') && !id.startsWith('node:')) continue;
      for (const importer of this.getModuleInfo(id)?.importers ?? []) nodeImports.push({ importer, builtin: id });
    }
  },
};

beforeAll(async () => {
  const out = await build({
    root: join(import.meta.dirname, 'scripts'),
    configFile: false,
    logLevel: 'silent',
    plugins: [collectNodeImports],
    build: { write: false, minify: false, target: 'es2022', lib: { entry: 'browser_entry.js', formats: ['iife'], name: 'app', fileName: 'app' } },
  });
  code = ((Array.isArray(out) ? out[0] : out) as Rollup.RollupOutput).output[0].code;
});

describe('@pq/nn bundled for the browser with Vite', () => {
  it('reaches no Node built-in from pq; only the guarded Node paths of tfjs-core, its wasm backend and seedrandom, which their package.json `browser` fields drop', () => {
    const fromPq = nodeImports.filter((m) => !m.importer.includes('/node_modules/'));
    expect(fromPq).toEqual([]);
    const packages = new Set(nodeImports.map((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(m.importer)![1]));
    expect([...packages].sort()).toEqual(['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-core', 'seedrandom']);
  });

  it("leaves out pq's Node addon (@pq/kernels-native, reached only from the node side of #accel-default)", () => {
    expect(bundled.length).toBeGreaterThan(10);
    expect(bundled.filter((id) => /kernels-native/.test(id))).toEqual([]);
  });

  it('runs a QuantLinear forward and backward with only browser globals', () => {
    // `window` and `document` make tfjs pick its browser platform, as in a page.
    const page: Record<string, unknown> = {
      console, TextEncoder, TextDecoder, performance, setTimeout, clearTimeout, queueMicrotask, URL,
      WebAssembly: (globalThis as Record<string, unknown>)['WebAssembly'],
      document: {}, location: { search: '' }, navigator: { userAgent: 'test', hardwareConcurrency: 2 },
    };
    page['window'] = page;
    page['self'] = page;
    createContext(page);
    runInContext(code, page);
    const result = runInContext('app.run()', page) as { layer: string; backend: string; loss: number; gradShapes: number[][] };
    expect(runInContext('[typeof process, typeof require, typeof Buffer]', page)).toEqual(['undefined', 'undefined', 'undefined']);
    expect(result.layer).toMatch(/^QuantLinear\(in_features=3, out_features=2, bias=True/);
    expect(result.backend).toBe('cpu');
    expect(Number.isFinite(result.loss)).toBe(true);
    expect(result.gradShapes).toEqual([[2, 3], [2]]);
  });
});
