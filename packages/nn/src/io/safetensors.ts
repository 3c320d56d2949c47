// The safetensors format (what PyTorch users write with the `safetensors` library): an 8-byte
// little-endian header length, a JSON header { name: { dtype, shape, data_offsets: [begin, end] },
// __metadata__?: { string: string } }, then the raw little-endian tensor bytes. pq writes F32
// (I64 for entries marked int64, as num_batches_tracked) and reads F32, F16, BF16, F64 and the
// integer/bool types, converting to float32 (I64 entries come back marked int64).
import { formatShape, shapeSize } from '@pq/core';
import type { StateDict, StateDictLike } from './state.js';
import { checkShape, nameMap, toStateDict } from './state.js';
import { DTYPE_BYTES, readContiguousAsFloat32, type StoredDtype } from './dtypes.js';

/** safetensors' dtype names. */
const DTYPES: Record<string, StoredDtype> = {
  F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};

/** Caps the header (the reference implementation refuses headers over 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(`safetensors: ${message}`);
    this.name = 'SafetensorsError';
  }
}

/** Encodes a state dict as safetensors bytes (F32; I64 for int64 entries), with optional string metadata. */
export function encodeSafetensors(dict: StateDictLike, metadata?: Record<string, string>): Uint8Array {
  const tensors = toStateDict('encodeSafetensors', dict);
  const header = nameMap<unknown>();
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`encodeSafetensors: metadata '${k}' must be a string, got ${typeof v}`);
    }
    header['__metadata__'] = metadata;
  }
  let offset = 0;
  const names = Object.keys(tensors);
  for (const name of names) {
    if (name === '__metadata__') throw new Error(`encodeSafetensors: '__metadata__' is reserved and cannot name a tensor`);
    const t = tensors[name]!;
    const int64 = t.dtype === 'int64';
    const bytes = t.data.length * (int64 ? 8 : 4);
    header[name] = { dtype: int64 ? 'I64' : 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad the header with spaces to a multiple of 8 so the data starts aligned (as the library does).
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const name of names) {
    const { data, dtype } = tensors[name]!;
    if (dtype === 'int64') for (let i = 0; i < data.length; i++, at += 8) view.setBigInt64(at, BigInt(data[i]!), true);
    else for (let i = 0; i < data.length; i++, at += 4) view.setFloat32(at, data[i]!, true);
  }
  return out;
}

interface Header {
  entries: Array<{ name: string; dtype: string; shape: number[]; begin: number; end: number }>;
  metadata: Record<string, string> | null;
  dataStart: number;
}

function parseHeader(bytes: Uint8Array): Header {
  if (!(bytes instanceof Uint8Array)) throw new SafetensorsError('expected a Uint8Array');
  if (bytes.length < 8) throw new SafetensorsError(`file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw new SafetensorsError(`header length ${n} exceeds the file (${bytes.length - 8} bytes after the length) or the 100 MB limit`);
  }
  const headerLength = Number(n);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new SafetensorsError(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SafetensorsError('header must be a JSON object');
  const dataStart = 8 + headerLength;
  const dataBytes = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const entries: Header['entries'] = [];
  for (const [name, info] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info) || Object.values(info).some((v) => typeof v !== 'string')) {
        throw new SafetensorsError('__metadata__ must map strings to strings');
      }
      metadata = Object.assign(nameMap<string>(), info as Record<string, string>);
      continue;
    }
    const e = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e === null || typeof e !== 'object') throw new SafetensorsError(`entry '${name}' must be an object`);
    const dtype = e.dtype;
    if (typeof dtype !== 'string' || !Object.hasOwn(DTYPES, dtype)) {
      throw new SafetensorsError(`tensor '${name}' has unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPES).join(', ')})`);
    }
    let shape: number[];
    try {
      shape = checkShape(`tensor '${name}'`, e.shape);
    } catch (err) {
      throw new SafetensorsError((err as Error).message);
    }
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      throw new SafetensorsError(`tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const expected = shapeSize(shape) * DTYPE_BYTES[DTYPES[dtype]!];
    if (end - begin !== expected) {
      throw new SafetensorsError(`tensor '${name}' (${dtype}, shape ${formatShape(shape)}) needs ${expected} bytes but data_offsets span ${end - begin}`);
    }
    if (end > dataBytes) throw new SafetensorsError(`tensor '${name}' ends at byte ${end} but the data section has ${dataBytes} bytes (truncated file?)`);
    entries.push({ name, dtype, shape, begin, end });
  }
  // The format requires the tensors to tile the data section: no overlaps, no holes.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin !== cursor) {
      throw new SafetensorsError(e.begin < cursor ? `tensor '${e.name}' overlaps another tensor` : `gap in the data section before tensor '${e.name}'`);
    }
    cursor = e.end;
  }
  if (cursor !== dataBytes) throw new SafetensorsError(`data section has ${dataBytes - cursor} trailing bytes not covered by any tensor`);
  return { entries, metadata, dataStart };
}

/** Decodes safetensors bytes into a float32 state dict; malformed input throws SafetensorsError. */
export function decodeSafetensors(bytes: Uint8Array): StateDict {
  const { entries, dataStart } = parseHeader(bytes);
  const out: StateDict = nameMap();
  for (const e of entries) {
    const data = readContiguousAsFloat32(bytes, dataStart + e.begin, shapeSize(e.shape), DTYPES[e.dtype]!);
    out[e.name] = e.dtype === 'I64' ? { data, shape: e.shape, dtype: 'int64' } : { data, shape: e.shape };
  }
  return out;
}

/** The `__metadata__` map of safetensors bytes (null when absent). */
export function safetensorsMetadata(bytes: Uint8Array): Record<string, string> | null {
  return parseHeader(bytes).metadata;
}
