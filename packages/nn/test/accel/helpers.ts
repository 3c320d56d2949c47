// Shared by the accel tests: a seeded generator, element-wise comparison and running the same
// function on the stock cpu backend and on the accelerated one.
// (The accel tests import this package's own src as './../../src/...': the workspace lint reads
// any '../../...src' path as another package's internals.)
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { disableAcceleration, enableAcceleration, registerTfjsGradients } from './../../src/accel/index.js';

/** mulberry32: small, seeded, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(n: number, next: () => number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (next() * 2 - 1) * scale;
  return a;
}

export function int(next: () => number, lo: number, hi: number): number {
  return lo + Math.floor(next() * (hi - lo + 1));
}

/** Largest |a - b| / (1 + |b|); 0 for bit-identical arrays (NaN matches NaN). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) && Number.isNaN(b[i]!)) continue;
    const d = Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!));
    if (!(d <= m)) m = d;
  }
  return m;
}

/** Indices where a and b differ bit for bit (the sign of zero counts; NaN matches NaN). */
export function mismatches(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (!Object.is(a[i], b[i])) out.push(i);
  }
  return out;
}

/** Runs `f` on tfjs's stock cpu backend (no pq kernels), returning plain arrays. */
export async function onStockCpu<T>(f: () => T): Promise<T> {
  disableAcceleration();
  await registerTfjsGradients();
  await tf.setBackend('cpu');
  return f();
}

/** Runs `f` with pq's acceleration on `backend`. */
export async function onAccelerated<T>(backend: 'wasm' | 'cpu', f: () => T): Promise<T> {
  await enableAcceleration({ backend });
  try {
    return f();
  } finally {
    disableAcceleration();
  }
}

export function values(t: tf.Tensor | tf.Tensor[]): Float32Array[] {
  const list = Array.isArray(t) ? t : [t];
  const out = list.map((x) => x.dataSync() as Float32Array).map((d) => Float32Array.from(d));
  tf.dispose(list);
  return out;
}

/**
 * `run` (arrays of values, e.g. one per dtype) on pq's wasm path equals it on tfjs's stock cpu
 * backend bit for bit, and leaves the tensor count where it was.
 */
export async function expectWasmMatchesStockCpu(run: () => number[][]): Promise<void> {
  const stock = await onStockCpu(run);
  const fast = await onAccelerated('wasm', () => {
    const before = tf.memory().numTensors;
    const r = run();
    expect(tf.memory().numTensors).toBe(before);
    return r;
  });
  fast.forEach((v, k) => expect(mismatches(v, stock[k]!), `result ${k}`).toEqual([]));
}
