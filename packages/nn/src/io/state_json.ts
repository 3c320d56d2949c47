// The JSON state format `{ name: { shape, data, dtype? } }` (dtype 'int64' marks integer
// entries). Numbers are written with JavaScript's shortest round-trip form, so float32 values
// come back bit for bit; NaN, ±Infinity and -0, which JSON numbers cannot carry, are written as
// the strings "NaN", "Infinity", "-Infinity", "-0".
import type { StateDict, StateDictLike } from './state.js';
import { formatShape, shapeSize } from '@pq/core';
import { checkShape, nameMap, toStateDict } from './state.js';

function encodeValue(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return v;
}

const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

export function encodeStateJson(dict: StateDictLike): string {
  const tensors = toStateDict('encodeStateJson', dict);
  const out = nameMap<{ shape: number[]; data: Array<number | string>; dtype?: 'int64' }>();
  for (const [name, t] of Object.entries(tensors)) {
    out[name] = { shape: [...t.shape], data: Array.from(t.data, encodeValue), ...(t.dtype === 'int64' ? { dtype: 'int64' as const } : {}) };
  }
  return JSON.stringify(out);
}

export function decodeStateJson(text: string): StateDict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`state JSON: not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('state JSON: expected an object { name: { shape, data } }');
  const out: StateDict = nameMap();
  for (const [name, entry] of Object.entries(parsed as Record<string, { shape?: unknown; data?: unknown; dtype?: unknown }>)) {
    if (entry === null || typeof entry !== 'object') throw new Error(`state JSON: '${name}' must be { shape, data }`);
    const shape = checkShape(`state JSON: '${name}'`, entry.shape);
    const data = entry.data;
    if (!Array.isArray(data)) throw new Error(`state JSON: '${name}'.data must be an array`);
    if (data.length !== shapeSize(shape)) {
      throw new Error(`state JSON: '${name}' has ${data.length} values but shape ${formatShape(shape)} needs ${shapeSize(shape)}`);
    }
    const values = new Float32Array(data.length);
    data.forEach((v, i) => {
      if (typeof v === 'number') values[i] = v;
      else if (typeof v === 'string' && v in SPECIAL) values[i] = SPECIAL[v]!;
      else throw new Error(`state JSON: '${name}'.data[${i}] is not a number (${JSON.stringify(v)})`);
    });
    if (entry.dtype !== undefined && entry.dtype !== 'float32' && entry.dtype !== 'int64') {
      throw new Error(`state JSON: '${name}'.dtype must be 'float32' or 'int64', got ${JSON.stringify(entry.dtype)}`);
    }
    if (entry.dtype === 'int64' && !values.every(Number.isInteger)) throw new Error(`state JSON: '${name}' is int64 but holds a non-integer value`);
    out[name] = entry.dtype === 'int64' ? { data: values, shape, dtype: 'int64' } : { data: values, shape };
  }
  return out;
}
