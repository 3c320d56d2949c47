// The seeded weights and inputs shared with the fixture scripts (test/fixtures/seeded.py is the
// same scheme in Python): every value is computed with correctly rounded float32 operations, so
// both sides hold bit-identical tensors without committing them.
//   u(key, n)[i] = (lowbias32(i + lowbias32(fnv1a(key))) >>> 8) / 2**23 - 1, exact in float32.
import * as tf from '@tensorflow/tfjs-core';
import { shapeSize, type NDArray } from '@pq/core';
import type { Module, StateDict } from '@pq/nn';

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** n values in [-1, 1) for `key`. */
export function uniform(key: string, n: number): Float32Array {
  const mix = lowbias32(fnv1a(key));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (lowbias32((i + mix) >>> 0) >>> 8) / 2 ** 23 - 1;
  return out;
}

const f = Math.fround;

/** The seeded value of a state-dict entry; null keeps the model's own (num_batches_tracked). */
export function seededValue(key: string, shape: readonly number[]): Float32Array | null {
  const u = uniform(key, shapeSize(shape));
  const leaf = key.slice(key.lastIndexOf('.') + 1);
  const map = (g: (v: number) => number): Float32Array => u.map(g);
  if (leaf === 'weight' && shape.length === 4) {
    const bound = f(Math.sqrt(6 / (shape[1]! * shape[2]! * shape[3]!)));
    return map((v) => v * bound);
  }
  if (leaf === 'weight' && shape.length === 2) {
    const bound = f(1 / Math.sqrt(shape[1]!));
    return map((v) => v * bound);
  }
  if (leaf === 'weight') return map((v) => f(0.75) + f(v * 0.25));
  if (leaf === 'bias' || leaf === 'running_mean') return map((v) => v * f(0.1));
  if (leaf === 'running_var') return map((v) => 1 + f(v * 0.5));
  return null;
}

/** Every parameter and buffer of `model` at its seeded value (Float32Array.map rounds each result to float32). */
export function seedModel(model: Module): void {
  const dict: StateDict = {};
  for (const [key, entry] of Object.entries(model.stateDict())) {
    const data = seededValue(key, entry.shape);
    dict[key] = data === null ? entry : { ...entry, data };
  }
  model.loadStateDict(dict);
}

export function seededInput(key: string, shape: number[]): tf.Tensor {
  return tf.tensor(uniform(key, shapeSize(shape)), shape);
}

export function seededArray(key: string, shape: number[]): NDArray {
  return { data: uniform(key, shapeSize(shape)), shape };
}
