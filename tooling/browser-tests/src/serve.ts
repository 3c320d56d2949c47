// A static HTTP server for bundled pages, cross-origin isolated (COOP/COEP) so that pages
// get SharedArrayBuffer, as the tfjs wasm backend's threads and onnxruntime-web want; or, for a
// test of what a page without those headers does, not isolated.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json',
  '.wasm': 'application/wasm', '.css': 'text/css', '.map': 'application/json',
};

function contentType(path: string): string {
  const dot = path.lastIndexOf('.');
  return TYPES[dot < 0 ? '' : path.slice(dot)] ?? 'application/octet-stream';
}

export interface ServeOptions {
  /** Send the COOP/COEP headers that make the page cross-origin isolated (default true). */
  readonly isolated?: boolean;
}

/** Serves `files` (URL path -> content) on a free local port; '/' is '/index.html'. */
export async function serveFiles(files: ReadonlyMap<string, string | Uint8Array>, { isolated = true }: ServeOptions = {}): Promise<Served> {
  const server = createServer((req, res) => {
    const asked = new URL(req.url ?? '/', 'http://localhost').pathname;
    const path = asked === '/' ? '/index.html' : asked;
    const body = files.get(path);
    if (isolated) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    if (body === undefined) {
      res.statusCode = 404;
      res.end(`not found: ${path}`);
      return;
    }
    res.setHeader('Content-Type', contentType(path));
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
