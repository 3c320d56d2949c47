// pq's WebAssembly SIMD kernels (kernels.wat, compiled into kernels-wasm.ts), instantiated on the
// tfjs wasm backend's own memory: they read and write tensors where that backend keeps them, so
// a kernel costs no copy in or out. One instance per backend (on tfjs-wasm's threaded build, of
// the module with its memory import made shared, as that build's memory is); none (null) where
// the backend is not tfjs's wasm one or WebAssembly SIMD is missing: callers then take their
// other path.
import type * as tf from '@tensorflow/tfjs-core';
import { KERNELS_WASM } from './kernels-wasm.js';
import { withSharedMemoryImport } from './wasm_shared_memory.js';

export interface WasmKernels {
  /** out[r*len + j] = big[r*len + j] + row[j], for r < rows, j < len (byte offsets). */
  add_row(out: number, big: number, row: number, rows: number, len: number): void;
  /** out[j] += x[r*cols + j] for r < rows, in row order (out zeroed first). */
  col_sum(x: number, out: number, rows: number, cols: number): void;
  /** Batch norm's float64 sums over four channels (mode 0 Σx, 1 Σ(x-m)², 2 Σdy and Σdy(x-m)) into the doubles at out. */
  bn_sums(
    mode: number, p0: number, p1: number, p2: number, p3: number, q0: number, q1: number, q2: number, q3: number,
    N: number, S: number, stride: number, m0: number, m1: number, m2: number, m3: number, out: number,
  ): void;
  /** One channel's elementwise batch-norm pass (mode 0 y = x·a + b, 1 dx = a·(dy - b - (x - m)·p)), in float64. */
  bn_apply(mode: number, x: number, dy: number, y: number, N: number, S: number, stride: number, a: number, b: number, m: number, p: number): void;
  /** One SGD-with-momentum step over n floats: ov = m*v + g; op = c*ov + p (Nesterov: c*(g + ov*m) + p). */
  momentum(p: number, v: number, g: number, op: number, ov: number, n: number, c: number, m: number, nesterov: number): void;
  /** out = x > 0 ? dy : dy * (isNaN(x) ? x : 0) over n floats (tfjs's dy * step(x)). */
  relu_grad(x: number, dy: number, out: number, n: number): void;
  hardtanh_grad(x: number, dy: number, out: number, n: number, lo: number, hi: number): void;
  /** MaxPoolGrad, NHWC, into a zeroed dx (see kernels.wat). */
  max_pool_grad(
    x: number, dy: number, dx: number, N: number, H: number, W: number, C: number, OH: number, OW: number,
    KH: number, KW: number, sh: number, sw: number, pt: number, pl: number,
  ): void;
  /** out[b, j, i] = in[b, i, j] for 4-byte elements (byte offsets). */
  transpose(out: number, input: number, batch: number, rows: number, cols: number): void;
  /** out[c, b, a] = in[a, b, c] for 4-byte elements (byte offsets); A and C at least 4. */
  swap(out: number, input: number, A: number, B: number, C: number): void;
  /** out[i0..i3] = in[i0·s0 + i1·s1 + i2·s2 + i3·s3] over out dims d0..d3 (byte offsets and strides). */
  permute(out: number, input: number, d0: number, d1: number, d2: number, d3: number, s0: number, s1: number, s2: number, s3: number): void;
  /** out[i0·t0 + i1·t1 + i2·t2 + i3·t3] = in[i0..i3] over in dims d0..d3 (byte offsets and strides). */
  place(out: number, input: number, d0: number, d1: number, d2: number, d3: number, t0: number, t1: number, t2: number, t3: number): void;
  /** The filter gradient's transposed patch matrix of x [C, N, H, W] for images n0..n0+nc (see kernels.wat). */
  im2col_t(
    out: number, x: number, C: number, N: number, H: number, W: number, n0: number, nc: number, OH: number, OW: number,
    KH: number, KW: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number,
  ): void;
  /** A depthwise convolution's product, channel multiplier 1 (see kernels.wat for the modes). */
  dw(
    mode: number, x: number, y: number, k: number,
    N: number, H: number, W: number, C: number, OH: number, OW: number,
    KH: number, KW: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number,
  ): void;
  /** Fake quantization of n floats with one scale pair: out = nearest(clamp(x·s, lo, hi)) / d (byte offsets). */
  fq(x: number, out: number, n: number, s: number, d: number, lo: number, hi: number): void;
  /** fq with per-element scales at byte offsets s and d. */
  fqv(x: number, out: number, n: number, s: number, d: number, lo: number, hi: number): void;
  /** Straight-through gradient of n floats: out = |x| <= m ? dy : 0. */
  ste(x: number, dy: number, out: number, n: number, m: number): void;
  /** ste with a per-element bound at byte offset m. */
  stev(x: number, dy: number, out: number, n: number, m: number): void;
  /** 1 when one of the n floats at x is below 0, else 0. */
  any_neg(x: number, n: number): number;
}

// The few WebAssembly calls used, typed here because lib ES2022 does not declare WebAssembly.
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => { buffer: ArrayBufferLike };
}

interface WasmBackendLike {
  wasm: { asm?: Record<string, unknown>; wasmMemory?: unknown };
  dataIdMap: { get(id: tf.DataId): { memoryOffset: number } | undefined };
}

const instances = new WeakMap<object, WasmKernels | null>();
/** The module as compiled for a plain memory (index 0) and for a shared one (index 1). */
const compiled: Array<object | null | undefined> = [undefined, undefined];

function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

function module(api: WasmApi, shared: boolean): object | null {
  const i = shared ? 1 : 0;
  if (compiled[i] === undefined) {
    const bytes = shared ? withSharedMemoryImport(KERNELS_WASM) : KERNELS_WASM;
    compiled[i] = api.validate(bytes) ? new api.Module(bytes) : null;
  }
  return compiled[i]!;
}

/** The kernels bound to `backend`'s heap, or null where they cannot run there. */
export function wasmKernels(backend: tf.KernelBackend): WasmKernels | null {
  const cached = instances.get(backend);
  if (cached !== undefined) return cached;
  let made: WasmKernels | null = null;
  const api = wasmApi();
  const wasm = (backend as unknown as Partial<WasmBackendLike>).wasm;
  // The single-threaded build exports its memory; the threaded one imports it (wasmMemory).
  const memory = wasm?.asm?.['memory'] ?? wasm?.wasmMemory;
  if (api !== undefined && memory instanceof api.Memory) {
    const m = module(api, typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer);
    if (m !== null) made = new api.Instance(m, { env: { memory } }).exports as unknown as WasmKernels;
  }
  instances.set(backend, made);
  return made;
}

/** The byte offset of `t`'s data in the wasm heap. */
export function heapOffset(backend: tf.KernelBackend, t: tf.TensorInfo): number {
  const entry = (backend as unknown as WasmBackendLike).dataIdMap.get(t.dataId);
  if (entry === undefined) throw new Error(`no wasm data for a tensor of shape [${t.shape}]`);
  return entry.memoryOffset;
}
