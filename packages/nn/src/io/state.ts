// What the state-file functions accept: a state dict of NDArrays (Module.stateDict()) or of tfjs
// tensors, normalised to float32 NDArrays with checked shapes. An entry may say it is an
// integer ('int64', as PyTorch's num_batches_tracked): its values are still float32 in memory
// (exact up to 2^24), and state files store it as int64.
import * as tf from '@tensorflow/tfjs-core';
import { formatShape, shapeSize, type NDArray } from '@pq/core';

/** How a state entry is stored: float32 (the default) or int64. */
export type StateDtype = 'float32' | 'int64';

/** A state-dict entry: float32 values, a shape, and the stored dtype when not float32. */
export interface StateTensor extends NDArray {
  readonly dtype?: StateDtype;
}

export type StateDict = Record<string, StateTensor>;
export type StateDictLike = Record<string, StateTensor | tf.Tensor>;

/** A tensor's values as a state entry (read back synchronously); tfjs's int32 is stored as int64. */
export function stateTensorOf(t: tf.Tensor): StateTensor {
  const entry = { data: Float32Array.from(t.dataSync()), shape: [...t.shape] };
  return t.dtype === 'int32' ? { ...entry, dtype: 'int64' } : entry;
}

/**
 * An empty map from names to values with no prototype: a tensor named `__proto__` or
 * `constructor` is an entry like any other, and a missing name never resolves to Object's members.
 */
export function nameMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Checks `shape` is a list of non-negative integers, naming `where` in the error. */
export function checkShape(where: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${where}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return shape as number[];
}

/** Float32 NDArrays for every entry (tensors are read back synchronously). */
export function toStateDict(owner: string, dict: StateDictLike): StateDict {
  if (dict === null || typeof dict !== 'object') throw new Error(`${owner}: expected a state dict object, got ${String(dict)}`);
  const out = nameMap<NDArray>();
  for (const [name, value] of Object.entries(dict)) {
    if (value instanceof tf.Tensor) {
      out[name] = stateTensorOf(value);
      continue;
    }
    if (!value || !(value.data instanceof Float32Array)) throw new Error(`${owner}: '${name}' is not a tensor or {data: Float32Array, shape}`);
    const shape = checkShape(`${owner}: '${name}'`, [...value.shape]);
    if (shapeSize(shape) !== value.data.length) {
      throw new Error(`${owner}: '${name}' has ${value.data.length} values but shape ${formatShape(shape)} needs ${shapeSize(shape)}`);
    }
    if (value.dtype !== undefined && value.dtype !== 'float32' && value.dtype !== 'int64') {
      throw new Error(`${owner}: '${name}' has dtype ${JSON.stringify(value.dtype)} (expected 'float32' or 'int64')`);
    }
    if (value.dtype === 'int64' && !value.data.every(Number.isInteger)) throw new Error(`${owner}: '${name}' is int64 but holds a non-integer value`);
    out[name] = value;
  }
  return out;
}
