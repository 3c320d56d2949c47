// What the page knows of each backend, and which it trains on by default. A GPU that is
// software (Chromium's SwiftShader, headless or without a driver) emulates shaders on the CPU
// and trains slower than wasm (XNNPACK), so the default is the first hardware GPU backend
// (WebGPU before WebGL), else wasm.
import type { BackendChoice } from './config.js';

export interface BackendInfo {
  readonly name: BackendChoice;
  readonly available: boolean;
  /** Runs on the CPU although it is a GPU API (a software adapter / renderer). */
  readonly software: boolean;
  /** What the browser reports (adapter or renderer), or why it is unavailable. */
  readonly detail: string;
}

/** The fastest of what is available: a hardware GPU backend (WebGPU first), else wasm. */
export function fastestBackend(infos: readonly BackendInfo[]): BackendChoice {
  return infos.find((b) => b.available && !b.software)?.name ?? 'wasm';
}
