// The demo page: workspace packages from their TypeScript sources (no build needed first),
// served cross-origin isolated (COOP/COEP) so the page gets SharedArrayBuffer: the tfjs wasm
// backend and onnxruntime-web run multi-threaded only then.
import { defaultClientConditions, defineConfig } from 'vite';

/** The headers that make the page cross-origin isolated, for the dev server and the preview. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  base: './',
  resolve: { conditions: ['@pq/source', ...defaultClientConditions] },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  // onnxruntime-web loads its .wasm from `new URL(..., import.meta.url)`: the build emits that
  // file as an asset; the dev server must serve the package unbundled for the URL to hold.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 8000,
    reportCompressedSize: false,
    // tfjs-backend-wasm starts its threads from the source text of its module factory
    // (Function.prototype.toString), whose free variables a minifier renames or inlines away
    // (the workers then fail with "_scriptDir is not defined"). The digits (21 MB of JSON) and
    // ORT's wasm (12 MB) outweigh the unminified script (4.5 MB) anyway.
    minify: false,
    rolldownOptions: {
      // @pq/nn imports tfjs's wasm and cpu backends lazily (so that importing it changes no
      // page's default backend); this page imports them up front (the wasm paths are set
      // before the backend starts), which leaves those lazy imports nothing to split.
      onLog(level, log, handler) {
        if (log.code !== 'INEFFECTIVE_DYNAMIC_IMPORT') handler(level, log);
      },
    },
  },
});
