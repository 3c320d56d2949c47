// Test helpers: fixtures, ONNX Runtime runs, deterministic inputs, comparisons.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import ort from 'onnxruntime-node';
import { seededValues } from '@pq/fixtures';

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
}

/** Runs `bytes` in ONNX Runtime at 'basic' (Q/DQ kept: exact float math on any CPU); outputs in graph order. */
export async function runOrt(bytes: Uint8Array, inputs: tf.Tensor[]): Promise<Array<{ data: Float32Array; dims: number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'basic' });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    session.inputNames.forEach((name, i) => {
      const t = inputs[i]!;
      feeds[name] = t.dtype === 'int32'
        ? new ort.Tensor('int64', BigInt64Array.from(t.dataSync(), (v) => BigInt(v)), [...t.shape])
        : new ort.Tensor('float32', Float32Array.from(t.dataSync()), [...t.shape]);
    });
    const result = await session.run(feeds);
    return session.outputNames.map((name) => {
      const o = result[name]!;
      const data = o.type === 'int64' ? Float32Array.from(o.data as BigInt64Array, Number) : o.type === 'bool' ? Float32Array.from(o.data as Uint8Array) : Float32Array.from(o.data as Float32Array);
      return { data, dims: [...o.dims] };
    });
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** A deterministic pseudo-random tensor in [-scale, scale) (no tf.random: seeds differ between backends). */
export function seeded(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed, scale), shape);
}
