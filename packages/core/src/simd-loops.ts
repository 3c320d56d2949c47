// Dispatch of the hot loops: long blocks go through the WebAssembly SIMD module in chunks that
// stay in cache (copy in, transform in place, copy out); short blocks, the tail that is not a
// multiple of 4, and runtimes without WASM SIMD use the plain JS loops. Both paths are
// bit-identical (tests run the golden cases through each).

import { fakeQuantBlock, fakeQuantBlockVec, quantBlock, quantBlockVec } from './quant-loops.js';
import { loadSimd, SIMD_CHUNK, type SimdExports } from './simd-module.js';

const settings = { enabled: true, minBlock: 1024 };

/**
 * Turns the WebAssembly SIMD path on or off, or changes the shortest block it handles
 * (default 1024 elements). Results are identical either way; this is for benchmarks and tests.
 */
export function configureSimd(o: { enabled?: boolean; minBlock?: number }): void {
  if (o.enabled !== undefined) settings.enabled = o.enabled;
  if (o.minBlock !== undefined) settings.minBlock = Math.max(4, o.minBlock);
}

/** True when the WebAssembly SIMD kernels are available and enabled. */
export function simdActive(): boolean {
  return settings.enabled && loadSimd() !== null;
}

function simdFor(len: number): SimdExports | null {
  return settings.enabled && len >= settings.minBlock ? loadSimd() : null;
}

function quantChunks(
  m: SimdExports, fake: boolean, x: Float32Array, out: Float32Array, start: number, len: number,
  s: number, d: number, lo: number, hi: number,
): number {
  const n4 = len - (len & 3);
  const heap = m.heap;
  const kernel = fake ? m.f : m.q;
  for (let off = 0; off < n4; off += SIMD_CHUNK) {
    const k = Math.min(SIMD_CHUNK, n4 - off);
    heap.set(x.subarray(start + off, start + off + k));
    kernel(0, k * 4, s, d, lo, hi);
    out.set(heap.subarray(0, k), start + off);
  }
  return n4;
}

export function fakeQuantRun(
  x: Float32Array, out: Float32Array, start: number, len: number, s: number, d: number, lo: number, hi: number,
): void {
  const m = simdFor(len);
  const done = m === null ? 0 : quantChunks(m, true, x, out, start, len, s, d, lo, hi);
  if (done < len) fakeQuantBlock(x, out, start + done, len - done, s, d, lo, hi);
}

export function quantRun(
  x: Float32Array, out: Float32Array, start: number, len: number, s: number, lo: number, hi: number,
): void {
  const m = simdFor(len);
  const done = m === null ? 0 : quantChunks(m, false, x, out, start, len, s, 1, lo, hi);
  if (done < len) quantBlock(x, out, start + done, len - done, s, lo, hi);
}

// The per-element scales last copied into the module: consecutive blocks of a last-axis amax
// reuse the same scale vector, so it is copied once, not once per block. Scale arrays are
// created per call and never mutated, so identity + offset + length identifies the contents.
const loaded = { scales: null as Float32Array | null, offset: -1, length: -1, fake: false };

function quantVecChunks(
  m: SimdExports, fake: boolean, x: Float32Array, out: Float32Array, start: number, len: number,
  sq: Float32Array, so: Float32Array, sStart: number, lo: number, hi: number,
): number {
  const n4 = len - (len & 3);
  const kernel = fake ? m.fv : m.qv;
  for (let off = 0; off < n4; off += SIMD_CHUNK) {
    const k = Math.min(SIMD_CHUNK, n4 - off);
    const sOff = sStart + off;
    if (loaded.scales !== sq || loaded.offset !== sOff || loaded.length !== k || loaded.fake !== fake) {
      m.qs.set(sq.subarray(sOff, sOff + k));
      if (fake) m.ds.set(so.subarray(sOff, sOff + k));
      Object.assign(loaded, { scales: sq, offset: sOff, length: k, fake });
    }
    m.heap.set(x.subarray(start + off, start + off + k));
    kernel(0, k * 4, lo, hi);
    out.set(m.heap.subarray(0, k), start + off);
  }
  return n4;
}

/** Fake quantization of a block whose scales vary along it: `sq/so[sStart + j]`. */
export function fakeQuantVecRun(
  x: Float32Array, out: Float32Array, start: number, len: number,
  sq: Float32Array, so: Float32Array, sStart: number, lo: number, hi: number,
): void {
  const m = simdFor(len);
  const done = m === null ? 0 : quantVecChunks(m, true, x, out, start, len, sq, so, sStart, lo, hi);
  if (done < len) fakeQuantBlockVec(x, out, start + done, len - done, sq, so, sStart + done, lo, hi);
}

/** Real quantization of a block whose scales vary along it. */
export function quantVecRun(
  x: Float32Array, out: Float32Array, start: number, len: number, sq: Float32Array, sStart: number, lo: number, hi: number,
): void {
  const m = simdFor(len);
  const done = m === null ? 0 : quantVecChunks(m, false, x, out, start, len, sq, sq, sStart, lo, hi);
  if (done < len) quantBlockVec(x, out, start + done, len - done, sq, sStart + done, lo, hi);
}

/** max |x| over `x[start, start+len)`, NaN when any element is NaN; 0 for an empty range. */
export function absMaxRun(x: Float32Array, start: number, len: number): number {
  let m = 0;
  let i = start;
  const end = start + len;
  const simd = simdFor(len);
  if (simd !== null) {
    const n4 = len - (len & 3);
    for (let off = 0; off < n4; off += SIMD_CHUNK) {
      const k = Math.min(SIMD_CHUNK, n4 - off);
      simd.heap.set(x.subarray(start + off, start + off + k));
      const c = simd.a(0, k * 4);
      if (c !== c) return NaN;
      if (c > m) m = c;
    }
    i = start + n4;
  }
  for (; i < end; i++) {
    const v = Math.abs(x[i]!);
    if (v > m) m = v;
    else if (v !== v) return NaN;
  }
  return m;
}

// Block-wise runs: consecutive blocks of `blockLen` elements, block k using scale k. Long runs
// of blocks that are not tiny go through SIMD a chunk at a time: one copy in and out per chunk,
// one kernel call per block, the tail of a block that is not a multiple of 4 in JS on the chunk.

/** Shorter blocks stay in JS: per-block call overhead would outweigh the vector loop. */
const SIMD_MIN_BLOCK_LEN = 32;

function simdForBlocks(len: number, blockLen: number): SimdExports | null {
  return blockLen >= SIMD_MIN_BLOCK_LEN && blockLen <= SIMD_CHUNK ? simdFor(len) : null;
}

/**
 * Fake (or, with `fake` false, real) quantization of x[start, start + len) split into blocks of
 * `blockLen` (the last one possibly shorter), block k with scales `sq/so[sStart + k]`.
 */
export function quantBlocksRun(
  fake: boolean, x: Float32Array, out: Float32Array, start: number, len: number, blockLen: number,
  sq: Float32Array, so: Float32Array, sStart: number, lo: number, hi: number,
): void {
  const m = simdForBlocks(len, blockLen);
  if (m === null) {
    for (let p = 0, k = sStart; p < len; p += blockLen, k++) {
      const l = Math.min(blockLen, len - p);
      if (fake) fakeQuantBlock(x, out, start + p, l, sq[k]!, so[k]!, lo, hi);
      else quantBlock(x, out, start + p, l, sq[k]!, lo, hi);
    }
    return;
  }
  const heap = m.heap;
  const kernel = fake ? m.f : m.q;
  const perChunk = Math.floor(SIMD_CHUNK / blockLen) * blockLen;
  for (let off = 0, k = sStart; off < len; off += perChunk) {
    const n = Math.min(perChunk, len - off);
    heap.set(x.subarray(start + off, start + off + n));
    for (let p = 0; p < n; p += blockLen, k++) {
      const l = Math.min(blockLen, n - p);
      const l4 = l - (l & 3);
      const s = sq[k]!;
      const d = so[k]!;
      if (l4 > 0) kernel(p * 4, (p + l4) * 4, s, d, lo, hi);
      if (l4 < l) {
        if (fake) fakeQuantBlock(heap, heap, p + l4, l - l4, s, d, lo, hi);
        else quantBlock(heap, heap, p + l4, l - l4, s, lo, hi);
      }
    }
    out.set(heap.subarray(0, n), start + off);
  }
}

/** NaN-sticky max: a NaN value wins, and once NaN the maximum stays NaN. */
function mergeMax(amax: Float32Array, i: number, v: number): void {
  const o = amax[i]!;
  if (v > o || (v !== v && o === o)) amax[i] = v;
}

/** Folds max |x| of each block of x[start, start + len) into `amax[aStart + k]` (NaN-sticky). */
export function absMaxBlocksRun(
  x: Float32Array, start: number, len: number, blockLen: number, amax: Float32Array, aStart: number,
): void {
  const m = simdForBlocks(len, blockLen);
  if (m === null) {
    for (let p = 0, k = aStart; p < len; p += blockLen, k++) {
      const end = start + Math.min(p + blockLen, len);
      let v = 0;
      for (let i = start + p; i < end; i++) {
        const a = Math.abs(x[i]!);
        if (a > v) v = a;
        else if (a !== a) {
          v = NaN;
          break;
        }
      }
      mergeMax(amax, k, v);
    }
    return;
  }
  const heap = m.heap;
  const perChunk = Math.floor(SIMD_CHUNK / blockLen) * blockLen;
  for (let off = 0, k = aStart; off < len; off += perChunk) {
    const n = Math.min(perChunk, len - off);
    heap.set(x.subarray(start + off, start + off + n));
    for (let p = 0; p < n; p += blockLen, k++) {
      const l = Math.min(blockLen, n - p);
      const l4 = l - (l & 3);
      let v = l4 > 0 ? m.a(p * 4, (p + l4) * 4) : 0;
      for (let i = p + l4; i < p + l && v === v; i++) {
        const a = Math.abs(heap[i]!);
        if (a > v) v = a;
        else if (a !== a) v = NaN;
      }
      mergeMax(amax, k, v);
    }
  }
}

/** Folds |x[xStart + j]| into `amax[aStart + j]` (NaN-sticky), j < len. */
export function absMaxVecRun(x: Float32Array, start: number, len: number, amax: Float32Array, aStart: number): void {
  for (let j = 0; j < len; j++) mergeMax(amax, aStart + j, Math.abs(x[start + j]!));
}
