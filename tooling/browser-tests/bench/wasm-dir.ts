/** Where the bench page's server has the tfjs wasm backend's binaries (run.ts serves, page.ts sets). */
export const WASM_DIR = '/wasm/';
