// A tiny hand-assembled WebAssembly SIMD module for the hot loops (no build step, no
// dependency). WASM's f32x4 ops are exactly the reference's float32 semantics: f32x4.mul and
// f32x4.div round to float32, f32x4.nearest is round-half-to-even keeping -0, and pmax/pmin
// (`a < b ? b : a`, `b < a ? b : a`) clamp like the JS loops, keeping NaN and -0. Exports:
//   f(ptr, end, s, d, lo, hi)  in place: x = nearest(clamp(x * s, lo, hi)) / d
//   q(ptr, end, s, d, lo, hi)  in place: x = nearest(clamp(x * s, lo, hi))       (d unused)
//   a(ptr, end) -> f32         max |x| (NaN if any x is NaN)
//   fv(ptr, end, lo, hi)       like f, with per-element scales s at ptr + QS and d at ptr + DS
//   qv(ptr, end, lo, hi)       like q, with per-element scales s at ptr + QS
// over float32s in [ptr, end), end - ptr a multiple of 16 bytes. Memory (1 MiB) holds three
// regions of SIMD_CHUNK floats: data at 0, quantizing scales at QS, output scales at DS.

/** Floats per region of scratch memory (the module has 16 pages = 1 MiB = 4 regions). */
export const SIMD_CHUNK = 1 << 16;
const QS_BYTES = SIMD_CHUNK * 4;
const DS_BYTES = SIMD_CHUNK * 8;

const leb = (n: number): number[] => {
  const b: number[] = [];
  do {
    let x = n & 0x7f;
    n >>>= 7;
    if (n) x |= 0x80;
    b.push(x);
  } while (n);
  return b;
};
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const name = (s: string): number[] => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const simd = (op: number): number[] => [0xfd, ...leb(op)];
const get = (i: number): number[] => [0x20, i];
const set = (i: number): number[] => [0x21, i];
const tee = (i: number): number[] => [0x22, i];
const MEMARG = [0x00, 0x00];
const OP = {
  load: 0x00, store: 0x0b, splat: 0x13, extract: 0x1f, nearest: 0x6a, abs: 0xe0, mul: 0xe6, div: 0xe7,
  pmin: 0xea, pmax: 0xeb, ne: 0x42, or: 0x50, anyTrue: 0x53,
};
/** `block; if ptr >= end break; loop { body; ptr += 16; if ptr < end continue } end` */
const loop16 = (body: number[]): number[] => [
  0x02, 0x40, ...get(0), ...get(1), 0x4f, 0x0d, 0,
  0x03, 0x40, ...body, ...get(0), 0x41, 16, 0x6a, ...tee(0), ...get(1), 0x49, 0x0d, 0, 0x0b,
  0x0b,
];
const func = (locals: number[][], code: number[]): number[] => {
  const full = [...vec(locals), ...code, 0x0b];
  return [...leb(full.length), ...full];
};

function quantBody(fake: boolean): number[] {
  // params 0 ptr, 1 end, 2 s, 3 d, 4 lo, 5 hi; locals 6 S, 7 D, 8 LO, 9 HI (v128)
  const splats = [2, 3, 4, 5].flatMap((p) => [...get(p), ...simd(OP.splat), ...set(p + 4)]);
  const step = [
    ...get(0),
    ...get(0), ...simd(OP.load), ...MEMARG,
    ...get(6), ...simd(OP.mul),
    ...get(8), ...simd(OP.pmax),
    ...get(9), ...simd(OP.pmin),
    ...simd(OP.nearest),
    ...(fake ? [...get(7), ...simd(OP.div)] : []),
    ...simd(OP.store), ...MEMARG,
  ];
  return func([[4, V128]], [...splats, ...loop16(step)]);
}

function quantVecBody(fake: boolean): number[] {
  // params 0 ptr, 1 end, 2 lo, 3 hi; locals 4 LO, 5 HI (v128)
  const splats = [...get(2), ...simd(OP.splat), ...set(4), ...get(3), ...simd(OP.splat), ...set(5)];
  const step = [
    ...get(0),
    ...get(0), ...simd(OP.load), ...MEMARG,
    ...get(0), ...simd(OP.load), 0x00, ...leb(QS_BYTES), ...simd(OP.mul),
    ...get(4), ...simd(OP.pmax),
    ...get(5), ...simd(OP.pmin),
    ...simd(OP.nearest),
    ...(fake ? [...get(0), ...simd(OP.load), 0x00, ...leb(DS_BYTES), ...simd(OP.div)] : []),
    ...simd(OP.store), ...MEMARG,
  ];
  return func([[2, V128]], [...splats, ...loop16(step)]);
}

function absMaxBody(): number[] {
  // params 0 ptr, 1 end; locals 2 acc, 3 nan mask, 4 v (v128). Two independent chains: a
  // pmax (one instruction) for the maximum and an OR of `v != v` for NaN, so that a NaN
  // anywhere returns NaN, as the JS loop does.
  const step = [
    ...get(0), ...simd(OP.load), ...MEMARG, ...simd(OP.abs), ...set(4),
    ...get(2), ...get(4), ...simd(OP.pmax), ...set(2),
    ...get(3), ...get(4), ...get(4), ...simd(OP.ne), ...simd(OP.or), ...set(3),
  ];
  const ifNanReturnNaN = [...get(3), ...simd(OP.anyTrue), 0x04, 0x40, 0x43, 0x00, 0x00, 0xc0, 0x7f, 0x0f, 0x0b];
  const lanes = [0, 1, 2, 3].map((l) => [...get(2), ...simd(OP.extract), l]);
  // f32.max (0x97) of the four lanes
  const reduce = [...lanes[0]!, ...lanes[1]!, 0x97, ...lanes[2]!, 0x97, ...lanes[3]!, 0x97];
  return func([[3, V128]], [...loop16(step), ...ifNanReturnNaN, ...reduce]);
}


function moduleBytes(): Uint8Array {
  const quantType = [0x60, ...vec([I32, I32, F32, F32, F32, F32].map((t) => [t])), 0x00];
  const amaxType = [0x60, ...vec([[I32], [I32]]), ...vec([[F32]])];
  const quantVecType = [0x60, ...vec([I32, I32, F32, F32].map((t) => [t])), 0x00];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([quantType, amaxType, quantVecType])),
    ...section(3, vec([[0], [0], [1], [2], [2]])),
    ...section(5, vec([[0x00, 16]])),
    ...section(7, vec([[...name('m'), 2, 0], [...name('f'), 0, 0], [...name('q'), 0, 1], [...name('a'), 0, 2],
      [...name('fv'), 0, 3], [...name('qv'), 0, 4]])),
    ...section(10, vec([quantBody(true), quantBody(false), absMaxBody(), quantVecBody(true), quantVecBody(false)])),
  ]);
}

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
    const bytes = moduleBytes();
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
