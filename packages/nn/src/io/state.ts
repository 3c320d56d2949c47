// What the state-file functions accept: a state dict of NDArrays (Module.stateDict()) or of tfjs
// tensors, normalised to float32 NDArrays with checked shapes.
import * as tf from '@tensorflow/tfjs-core';
import { formatShape, shapeSize, type NDArray } from '@pq/core';

export type StateDict = Record<string, NDArray>;
export type StateDictLike = Record<string, NDArray | tf.Tensor>;

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
      out[name] = { data: Float32Array.from(value.dataSync()), shape: [...value.shape] };
      continue;
    }
    if (!value || !(value.data instanceof Float32Array)) throw new Error(`${owner}: '${name}' is not a tensor or {data: Float32Array, shape}`);
    const shape = checkShape(`${owner}: '${name}'`, [...value.shape]);
    if (shapeSize(shape) !== value.data.length) {
      throw new Error(`${owner}: '${name}' has ${value.data.length} values but shape ${formatShape(shape)} needs ${shapeSize(shape)}`);
    }
    out[name] = value;
  }
  return out;
}
