// ONNX element types and the static description of a graph value (type and shape, where
// known), as the importer tracks them.

/** TensorProto.DataType codes (onnx.proto). */
export const ElemType = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
} as const;

const ELEM_NAMES = new Map<number, string>(Object.entries(ElemType).map(([k, v]) => [v, k]));

/** 'FLOAT', 'INT64', ... or 'type N' for a code onnx.proto does not list here. */
export function elemTypeName(code: number): string {
  return ELEM_NAMES.get(code) ?? `type ${code}`;
}

/** The element types pq computes with: float32, integers (int32 on tfjs) and booleans. */
export const SUPPORTED_ELEM_TYPES: ReadonlySet<number> = new Set([ElemType.FLOAT, ElemType.INT32, ElemType.INT64, ElemType.BOOL]);

export function isIntType(code: number): boolean {
  return code === ElemType.INT32 || code === ElemType.INT64;
}

/** The tfjs dtype holding values of an ONNX element type (int64 computes as int32). */
export function tfDtypeOf(code: number): 'float32' | 'int32' | 'bool' {
  if (code === ElemType.FLOAT) return 'float32';
  if (code === ElemType.BOOL) return 'bool';
  return 'int32';
}

/** A dimension: a size, a symbolic name ('batch'), or unknown (null). */
export type Dim = number | string | null;

/** A value's static type: element type and shape (null when not even the rank is known). */
export interface ValueType {
  elemType: number;
  shape: Dim[] | null;
}

export function formatDims(shape: readonly Dim[] | null): string {
  if (shape === null) return '(unknown shape)';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}
