// What the page knows of each backend, and which it trains on by default. A GPU that is
// software (Chromium's SwiftShader, headless or without a driver) emulates shaders on the CPU
// and trains slower than wasm (XNNPACK), so the default is the first hardware GPU backend
// (WebGPU before WebGL), else wasm. wasm runs 2 threads where the page may have threads (it is
// cross-origin isolated), else 1; ?threads= asks for another count.
import type { BackendChoice } from './config.js';

export interface BackendInfo {
  readonly name: BackendChoice;
  readonly available: boolean;
  /** Runs on the CPU although it is a GPU API (a software adapter / renderer). */
  readonly software: boolean;
  /** What the browser reports (adapter or renderer), or why it is unavailable. */
  readonly detail: string;
}

/**
 * The wasm backend's threads: those asked for, else 2 on a cross-origin-isolated page (a
 * machine has at least 2 cores nowadays) and 1 elsewhere, where @pq/nn refuses more (threads
 * share a SharedArrayBuffer, which only an isolated page has).
 */
export function wasmThreads(asked: number | null, isolated: boolean): number {
  return asked ?? (isolated ? 2 : 1);
}

/** The fastest of what is available: a hardware GPU backend (WebGPU first), else wasm. */
export function fastestBackend(infos: readonly BackendInfo[]): BackendChoice {
  return infos.find((b) => b.available && !b.software)?.name ?? 'wasm';
}
