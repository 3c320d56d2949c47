// Loads the WebAssembly SIMD module for the hot loops: its source is simd.wat, compiled into
// simd-wasm.ts (committed; scripts/build-wasm.ts regenerates it). Exports:
//   f(ptr, end, s, d, lo, hi)  in place: x = nearest(clamp(x * s, lo, hi)) / d
//   q(ptr, end, s, d, lo, hi)  in place: x = nearest(clamp(x * s, lo, hi))       (d unused)
//   a(ptr, end) -> f32         max |x| (NaN if any x is NaN)
//   fv(ptr, end, lo, hi)       like f, with per-element scales s at ptr + QS and d at ptr + DS
//   qv(ptr, end, lo, hi)       like q, with per-element scales s at ptr + QS
// over float32s in [ptr, end), end - ptr a multiple of 16 bytes. Memory (1 MiB) holds three
// regions of SIMD_CHUNK floats: data at 0, quantizing scales at QS, output scales at DS.

import { SIMD_WASM } from './simd-wasm.js';

/** Floats per region of scratch memory (the module has 16 pages = 1 MiB = 4 regions). */
export const SIMD_CHUNK = 1 << 16;
export const QS_BYTES = SIMD_CHUNK * 4;
export const DS_BYTES = SIMD_CHUNK * 8;

export interface SimdExports {
  /** Float32 view of the data region (SIMD_CHUNK floats). */
  heap: Float32Array;
  /** Float32 views of the per-element quantizing and output scale regions. */
  qs: Float32Array;
  ds: Float32Array;
  f(ptr: number, end: number, s: number, d: number, lo: number, hi: number): void;
  q(ptr: number, end: number, s: number, d: number, lo: number, hi: number): void;
  a(ptr: number, end: number): number;
  fv(ptr: number, end: number, lo: number, hi: number): void;
  qv(ptr: number, end: number, lo: number, hi: number): void;
}

// The few WebAssembly calls used, typed here because lib ES2022 does not declare WebAssembly.
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

let cached: SimdExports | null | undefined;

/** The instantiated module, or null where WebAssembly SIMD is unavailable. */
export function loadSimd(): SimdExports | null {
  if (cached !== undefined) return cached;
  cached = null;
  try {
    const bytes = SIMD_WASM;
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (wasm !== undefined && wasm.validate(bytes)) {
      const inst = new wasm.Instance(new wasm.Module(bytes));
      const e = inst.exports as unknown as { m: { buffer: ArrayBuffer } } & Omit<SimdExports, 'heap' | 'qs' | 'ds'>;
      cached = {
        heap: new Float32Array(e.m.buffer, 0, SIMD_CHUNK),
        qs: new Float32Array(e.m.buffer, QS_BYTES, SIMD_CHUNK),
        ds: new Float32Array(e.m.buffer, DS_BYTES, SIMD_CHUNK),
        f: e.f, q: e.q, a: e.a, fv: e.fv, qv: e.qv,
      };
    }
  } catch {
    cached = null; // no SIMD: the plain loops are used
  }
  return cached;
}
