/** Where a page's server has the tfjs wasm backend's binaries (wasm-files.ts serves them, the page's setWasmPaths names this). */
export const WASM_DIR = '/wasm/';
