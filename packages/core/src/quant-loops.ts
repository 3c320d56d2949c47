// The hot loops of integer quantization, one small monomorphic function per case so that V8
// keeps each one tight: `q = clamp(rint(fround(x * s)), lo, hi)` and, for fake quant,
// `fround(q / d)` (the float32 store rounds). Clamping before rounding gives the same result
// as the reference's clamp-after-round because the bounds are integers; it keeps NaN (NaN
// fails both comparisons). After the clamp |v| <= 65536, so adding and subtracting 1.5 * 2^52
// rounds half to even exactly (double arithmetic rounds to nearest even); a zero result takes
// v's sign back (`v * 0`), as rint(-0.3) is -0 in the reference.

/** 1.5 * 2^52: adding it leaves no fraction bits in a double of magnitude below 2^51. */
const ROUNDER = 6755399441055744;

/** Real quantization of `x[start, start+len)` with one scale. */
export function quantBlock(
  x: Float32Array, out: Float32Array, start: number, len: number, s: number, lo: number, hi: number,
): void {
  const end = start + len;
  for (let i = start; i < end; i++) {
    let v = Math.fround(x[i]! * s);
    v = v < lo ? lo : v > hi ? hi : v;
    const r = v + ROUNDER - ROUNDER;
    out[i] = r === 0 ? v * 0 : r;
  }
}

/** Fake quantization of `x[start, start+len)` with one scale pair. */
export function fakeQuantBlock(
  x: Float32Array, out: Float32Array, start: number, len: number, s: number, d: number, lo: number, hi: number,
): void {
  const end = start + len;
  for (let i = start; i < end; i++) {
    let v = Math.fround(x[i]! * s);
    v = v < lo ? lo : v > hi ? hi : v;
    const r = v + ROUNDER - ROUNDER;
    out[i] = (r === 0 ? v * 0 : r) / d;
  }
}

/** Real quantization where the scale varies along the block: `s[sStart + j]`. */
export function quantBlockVec(
  x: Float32Array, out: Float32Array, start: number, len: number, s: Float32Array, sStart: number, lo: number, hi: number,
): void {
  for (let j = 0; j < len; j++) {
    let v = Math.fround(x[start + j]! * s[sStart + j]!);
    v = v < lo ? lo : v > hi ? hi : v;
    const r = v + ROUNDER - ROUNDER;
    out[start + j] = r === 0 ? v * 0 : r;
  }
}

/** Fake quantization where the scales vary along the block. */
export function fakeQuantBlockVec(
  x: Float32Array, out: Float32Array, start: number, len: number,
  s: Float32Array, d: Float32Array, sStart: number, lo: number, hi: number,
): void {
  for (let j = 0; j < len; j++) {
    let v = Math.fround(x[start + j]! * s[sStart + j]!);
    v = v < lo ? lo : v > hi ? hi : v;
    const r = v + ROUNDER - ROUNDER;
    out[start + j] = (r === 0 ? v * 0 : r) / d[sStart + j]!;
  }
}
