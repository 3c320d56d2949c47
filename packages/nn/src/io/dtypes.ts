// Element types that checkpoint files store, and reading them as float32 (the type of every
// pq state dict): shared by the safetensors and PyTorch (.pth) readers.

export type StoredDtype = 'float64' | 'float32' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** Bytes per element. */
export const DTYPE_BYTES: Readonly<Record<StoredDtype, number>> = {
  float64: 8, float32: 4, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

/** IEEE half -> float. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const BF16_SCRATCH = new DataView(new ArrayBuffer(4));

/** bfloat16 is the top half of a float32. */
function bfloat16ToFloat(b: number): number {
  BF16_SCRATCH.setUint32(0, b << 16);
  return BF16_SCRATCH.getFloat32(0);
}

/** One element of `dtype` at byte `p` of `view` as a JavaScript number (int64 rounds past 2^53). */
export function readElement(view: DataView, p: number, dtype: StoredDtype, littleEndian: boolean): number {
  switch (dtype) {
    case 'float32': return view.getFloat32(p, littleEndian);
    case 'float64': return view.getFloat64(p, littleEndian);
    case 'float16': return halfToFloat(view.getUint16(p, littleEndian));
    case 'bfloat16': return bfloat16ToFloat(view.getUint16(p, littleEndian));
    case 'int64': return Number(view.getBigInt64(p, littleEndian));
    case 'int32': return view.getInt32(p, littleEndian);
    case 'int16': return view.getInt16(p, littleEndian);
    case 'int8': return view.getInt8(p);
    case 'uint8': return view.getUint8(p);
    case 'bool': return view.getUint8(p) === 0 ? 0 : 1;
  }
}

/**
 * `count` consecutive elements of `dtype` from byte `at` of `bytes`, as float32. Little-endian
 * float32 (the common case: whole model weights) is copied in one go.
 */
export function readContiguousAsFloat32(bytes: Uint8Array, at: number, count: number, dtype: StoredDtype, littleEndian = true): Float32Array {
  if (dtype === 'float32' && littleEndian && isLittleEndianHost()) {
    // A copy into a fresh buffer: `bytes` may be a Node Buffer, whose slice() is a view of a shared pool.
    const out = new Float32Array(count);
    new Uint8Array(out.buffer).set(bytes.subarray(at, at + count * 4));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = DTYPE_BYTES[dtype];
  const out = new Float32Array(count);
  for (let i = 0, p = at; i < count; i++, p += size) out[i] = readElement(view, p, dtype, littleEndian);
  return out;
}

let hostLittle: boolean | undefined;
function isLittleEndianHost(): boolean {
  hostLittle ??= new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  return hostLittle;
}
