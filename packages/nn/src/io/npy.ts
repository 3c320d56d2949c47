// NumPy's .npy format (what `numpy.save` writes): the magic "\x93NUMPY", a version, a header
// length, a Python-literal header { 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3) },
// then the raw elements. An .npy file is untrusted input: the header is parsed as the small
// literal numpy writes (not evaluated), the element count is checked against the bytes that
// follow before anything is allocated, and every value is read as float32, as pq's state
// files are (integers exactly up to 2^24).
import { formatShape } from '@pq/core';
import { DTYPE_BYTES, readContiguousAsFloat32, type StoredDtype } from './dtypes.js';

export class NpyError extends Error {
  constructor(message: string) {
    super(`npy: ${message}`);
    this.name = 'NpyError';
  }
}

export interface NpyArray {
  shape: number[];
  /** The element type stored in the file (the data are float32 either way). */
  dtype: StoredDtype;
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const MAX_HEADER = 1 << 20;
/** Refuse arrays claiming more elements than this (4 GiB of float32). */
const MAX_ELEMENTS = 2 ** 30;

/** numpy's type codes (descr without the byte-order character) -> the stored element type. */
const DESCR: Record<string, StoredDtype> = {
  f2: 'float16', f4: 'float32', f8: 'float64', i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64', u1: 'uint8', b1: 'bool',
};

/** The value of `key` in the header's dict literal: `pattern` matches what follows the colon. */
function field(text: string, key: string, pattern: string, what: string): string {
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*${pattern}`).exec(text);
  if (m === null) throw new NpyError(`the header has no ${what} '${key}' (${JSON.stringify(text.trim())})`);
  return m[1]!;
}

/** Decodes the bytes of an .npy file; anything malformed or unsupported throws an NpyError naming it. */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError('not an .npy file (it does not start with \\x93NUMPY)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new NpyError(`format version ${major}.${bytes[7]} is not supported (1.0 to 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? view.getUint16(8, true) : bytes.length >= 12 ? view.getUint32(8, true) : Infinity;
  const start = 8 + lenBytes;
  if (headerLen > MAX_HEADER || start + headerLen > bytes.length) throw new NpyError(`the header (${headerLen} bytes) runs past the end of the file (truncated?)`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = field(text, 'descr', `['"]([^'"]*)['"]`, 'string');
  const order = descr[0]!;
  const code = /^[<>|=]/.test(descr) ? descr.slice(1) : descr;
  const dtype = DESCR[code];
  if (dtype === undefined) throw new NpyError(`element type '${descr}' is not supported (float16/32/64, int8/16/32/64, uint8, bool)`);
  const littleEndian = order !== '>';
  const fortran = field(text, 'fortran_order', '(\\w+)', 'flag');
  if (fortran !== 'True' && fortran !== 'False') throw new NpyError(`fortran_order must be True or False, got ${fortran}`);
  const shapeText = field(text, 'shape', '\\(([^)]*)\\)', 'tuple');
  const parts = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.some((p) => !/^\d+L?$/.test(p))) throw new NpyError(`shape (${shapeText}) has a dimension that is not a non-negative integer`);
  const shape = parts.map((p) => Number.parseInt(p, 10));
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count > MAX_ELEMENTS) throw new NpyError(`shape ${formatShape(shape)} has more than ${MAX_ELEMENTS} elements`);
  }
  const dataStart = start + headerLen;
  const expected = count * DTYPE_BYTES[dtype];
  const actual = bytes.length - dataStart;
  if (actual !== expected) {
    throw new NpyError(`shape ${formatShape(shape)} of ${descr} needs ${expected} bytes of data, the file has ${actual}${actual < expected ? ' (truncated?)' : ''}`);
  }
  let data = readContiguousAsFloat32(bytes, dataStart, count, dtype, littleEndian);
  if (fortran === 'True' && shape.length > 1) data = fromColumnMajor(data, shape);
  return { shape, dtype, data };
}

/** Column-major (Fortran order) elements reordered row-major. */
function fromColumnMajor(data: Float32Array, shape: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  for (let r = 0; r < data.length; r++) {
    // r is the row-major position of `index`; its column-major position has the first axis fastest.
    let c = 0;
    for (let k = rank - 1; k >= 0; k--) c = c * shape[k]! + index[k]!;
    out[r] = data[c]!;
    for (let k = rank - 1; k >= 0; k--) {
      if (++index[k]! < shape[k]!) break;
      index[k] = 0;
    }
  }
  return out;
}
