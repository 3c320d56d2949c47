// The seeded weights and inputs shared with the fixture scripts (test/fixtures/seeded.py is the
// same scheme in Python, with the rules explained): every value is computed with correctly
// rounded float32 operations, so both sides hold bit-identical tensors without committing them.
//   h(key, i) = lowbias32(i + lowbias32(fnv1a(key)))
//   u(key, n)[i] = (h >>> 8) / 2**23 - 1, exact in float32, in [-1, 1)
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

function hashes(key: string, n: number): Uint32Array {
  const mix = lowbias32(fnv1a(key));
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = lowbias32((i + mix) >>> 0);
  return out;
}

/** n values in [-1, 1) for `key`. */
export function uniform(key: string, n: number): Float32Array {
  const h = hashes(key, n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (h[i]! >>> 8) / 2 ** 23 - 1;
  return out;
}

/** n integers in [-bound, bound]. */
function integers(key: string, n: number, bound: number): Int32Array {
  const h = hashes(key, n);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = (h[i]! % (2 * bound + 1)) - bound;
  return out;
}

const f = Math.fround;

/** The seeded value of a state-dict entry; null keeps the model's own (num_batches_tracked). */
export function seededValue(key: string, shape: readonly number[]): Float32Array | null {
  const u = uniform(key, shapeSize(shape));
  const leaf = key.slice(key.lastIndexOf('.') + 1);
  // In place: each result is rounded to float32 as it is stored.
  const map = (g: (v: number) => number): Float32Array => {
    for (let i = 0; i < u.length; i++) u[i] = g(u[i]!);
    return u;
  };
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

/** The grid scheme's normalisation eps: running_var + eps is exactly 1. */
export const GRID_EPS = 2 ** -16;

/** The grid scheme (seeded.py's grid_value): every value a small integer times a power of two. */
export function gridValue(key: string, shape: readonly number[]): Float32Array | null {
  const n = shapeSize(shape);
  const leaf = key.slice(key.lastIndexOf('.') + 1);
  if (leaf === 'weight' && shape.length >= 2) {
    const channels = shape[0]!;
    const fan = n / channels;
    const q = integers(key, n, 40);
    const out = new Float32Array(n);
    for (let c = 0; c < channels; c++) {
      q[c * fan] = c % 2 === 0 ? 127 : -127;
      const step = 2 ** -(5 + Math.floor((32 - Math.clz32(fan)) / 2) + (c % 3));
      for (let i = c * fan; i < (c + 1) * fan; i++) out[i] = q[i]! * step;
    }
    return out;
  }
  if (leaf === 'weight') return new Float32Array(n).fill(0.5);
  if (leaf === 'bias' || leaf === 'running_mean') return new Float32Array(integers(key, n, 32)).map((k) => k / 256);
  if (leaf === 'running_var') return new Float32Array(n).fill(1 - GRID_EPS);
  return null;
}

/** Every parameter and buffer of `model` at its seeded value. */
export function seedModel(model: Module, scheme: (key: string, shape: readonly number[]) => Float32Array | null = seededValue): void {
  const dict: StateDict = {};
  for (const [key, entry] of Object.entries(model.stateDict())) {
    const data = scheme(key, entry.shape);
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
