// The tfjs wasm backend's binaries (plain, SIMD, threaded SIMD), as served under WASM_DIR to a
// page that calls `setWasmPaths(WASM_DIR)`.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { WASM_DIR } from './wasm-dir.js';

export function tfjsWasmFiles(): [path: string, bytes: Uint8Array][] {
  const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  return readdirSync(dist).filter((f) => f.endsWith('.wasm')).map((f) => [`${WASM_DIR}${f}`, readFileSync(join(dist, f))]);
}
