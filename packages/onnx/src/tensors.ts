// Initializers and constant tensors: TensorProto -> typed values, read defensively (every
// length checked against the shape before anything is allocated; external data, sparse and
// unsupported element types refused by name). int64 values keep their exact form for export
// and compute as int32 (clamped: the only int64 values beyond int32 in practice are Slice's
// "to the end" markers, whose meaning clamping keeps).
import * as tf from '@tensorflow/tfjs-core';
import type { TensorProto } from '@pq/nn';
import { OnnxImportError } from './errors.js';
import { ElemType, SUPPORTED_ELEM_TYPES, elemTypeName, tfDtypeOf } from './types.js';

/** A constant value of the graph (an initializer, a Constant node's value or an attribute tensor). */
export interface ConstTensor {
  name: string;
  elemType: number;
  dims: number[];
  /** float32 values for FLOAT, int32 (int64 clamped) for INT32 / INT64, 0 / 1 for BOOL. */
  values: Float32Array | Int32Array | Uint8Array;
  /** The exact values of an INT64 tensor, written back unchanged on export. */
  int64?: BigInt64Array;
}

/** protobufjs decodes int64 fields as Long objects (or numbers); both convert here. */
export type LongLike = number | { toString(): string; toNumber(): number } | null | undefined;

export function longToBigInt(v: LongLike): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  return BigInt(v.toString());
}

/** A Long as a JS number; `what` names it when it is not a safe integer. */
export function longToNumber(v: LongLike, what: string): number {
  const n = typeof v === 'number' ? v : v === null || v === undefined ? 0 : v.toNumber();
  if (!Number.isSafeInteger(n)) throw new OnnxImportError(`${what}: ${String(v)} is not a representable integer`);
  return n;
}

const INT32_MAX = 2147483647n;
const INT32_MIN = -2147483648n;

function clampToInt32(v: bigint): number {
  return Number(v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v);
}

/** At most this many elements in one tensor (4 GiB of float32): a header may not claim more. */
const MAX_ELEMENTS = 2 ** 30;

const BYTES: Record<number, number> = { [ElemType.FLOAT]: 4, [ElemType.INT32]: 4, [ElemType.INT64]: 8, [ElemType.BOOL]: 1 };

/** Decodes `t`; `where` names it in errors ("initializer 'fc.weight'"). */
export function decodeTensor(t: TensorProto, where: string): ConstTensor {
  const name = t.name ?? '';
  const elemType = t.dataType ?? 0;
  if (t.dataLocation === 1 || (t.externalData?.length ?? 0) > 0) {
    throw new OnnxImportError(`${where} keeps its data in an external file; pq imports self-contained models (save it with all tensors inside the .onnx)`);
  }
  if (!SUPPORTED_ELEM_TYPES.has(elemType)) {
    const hint = elemType === ElemType.FLOAT16 || elemType === ElemType.DOUBLE || elemType === ElemType.BFLOAT16 ? ' (convert the model to float32 first)' : '';
    throw new OnnxImportError(`${where} has element type ${elemTypeName(elemType)}; pq imports FLOAT, INT64, INT32 and BOOL tensors${hint}`);
  }
  const dims = (t.dims ?? []).map((d) => longToNumber(d as LongLike, `${where}: dimension`));
  let count = 1;
  for (const d of dims) {
    if (d < 0) throw new OnnxImportError(`${where} has a negative dimension in [${dims.join(', ')}]`);
    count *= d;
    if (count > MAX_ELEMENTS) throw new OnnxImportError(`${where} claims shape [${dims.join(', ')}], more than ${MAX_ELEMENTS} elements`);
  }
  const raw = t.rawData;
  const mismatch = (n: number, unit: string): never => {
    throw new OnnxImportError(`${where}: ${n} ${unit} for shape [${dims.join(', ')}] (${count} values of ${elemTypeName(elemType)} expected); the file is damaged or truncated`);
  };
  const out: ConstTensor = { name, elemType, dims, values: new Float32Array(0) };
  if (raw !== null && raw !== undefined && raw.length > 0) {
    const size = BYTES[elemType]!;
    if (raw.length !== count * size) mismatch(raw.length, 'bytes of raw_data');
    // A copy (raw_data may view a shared pool), read in the platform's order: little-endian on
    // every platform Node and browsers run on, as raw_data requires.
    const copy = new Uint8Array(raw).buffer;
    if (elemType === ElemType.FLOAT) out.values = new Float32Array(copy);
    else if (elemType === ElemType.INT32) out.values = new Int32Array(copy);
    else if (elemType === ElemType.BOOL) out.values = Uint8Array.from(raw, (b) => (b === 0 ? 0 : 1));
    else out.int64 = new BigInt64Array(copy);
  } else if (elemType === ElemType.FLOAT) {
    const f = t.floatData ?? [];
    if (f.length !== count) mismatch(f.length, 'float_data values');
    out.values = Float32Array.from(f);
  } else if (elemType === ElemType.INT64) {
    const v = t.int64Data ?? [];
    if (v.length !== count) mismatch(v.length, 'int64_data values');
    out.int64 = BigInt64Array.from(v, (x) => longToBigInt(x as LongLike));
  } else {
    const v = t.int32Data ?? [];
    if (v.length !== count) mismatch(v.length, 'int32_data values');
    out.values = elemType === ElemType.BOOL ? Uint8Array.from(v, (x) => (x === 0 ? 0 : 1)) : Int32Array.from(v);
  }
  if (out.int64 !== undefined) out.values = Int32Array.from(out.int64, clampToInt32);
  return out;
}

/** A tfjs tensor holding `c` (float32, int32 or bool). */
export function constToTensor(c: ConstTensor): tf.Tensor {
  const dtype = tfDtypeOf(c.elemType);
  const values = dtype === 'bool' ? Array.from(c.values, (v) => v !== 0) : c.values;
  return tf.tensor(values as Float32Array, c.dims, dtype);
}

/** The values of a constant as plain numbers (int64 clamped to int32). */
export function constNumbers(c: ConstTensor): number[] {
  return Array.from(c.values);
}
