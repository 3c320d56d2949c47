// Test helpers: run an exported model in onnxruntime-node and compare with pq's forward.
import * as tf from '@tensorflow/tfjs-core';
import ort from 'onnxruntime-node';
import type { Module } from '@pq/nn';

/** Runs `bytes` in ONNX Runtime on `inputs`; returns the outputs in graph order. */
export async function runOrt(bytes: Uint8Array, inputs: tf.Tensor[]): Promise<Array<{ data: Float32Array; dims: number[] }>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds: Record<string, ort.Tensor> = {};
    session.inputNames.forEach((name, i) => {
      const t = inputs[i]!;
      feeds[name] = new ort.Tensor('float32', Float32Array.from(t.dataSync()), [...t.shape]);
    });
    const result = await session.run(feeds);
    return session.outputNames.map((name) => {
      const o = result[name]!;
      return { data: Float32Array.from(o.data as Float32Array), dims: [...o.dims] };
    });
  } finally {
    await session.release();
  }
}

/** pq's forward (eval mode) as plain arrays. */
export function runPq(model: Module, inputs: tf.Tensor[]): Array<{ data: Float32Array; dims: number[] }> {
  model.eval();
  return tf.tidy(() => {
    const out = model.call(...inputs) as tf.Tensor | tf.Tensor[];
    return [out].flat().map((t) => ({ data: Float32Array.from(t.dataSync()), dims: [...t.shape] }));
  });
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Row-wise argmax of a [rows, cols] array. */
export function argmaxRows(data: Float32Array, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < data.length / cols; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (data[r * cols + c]! > data[r * cols + best]!) best = c;
    out.push(best);
  }
  return out;
}

/** A deterministic pseudo-random tensor (no tf.random: seeds differ between backends). */
export function seeded(shape: number[], seed: number, scale = 1): tf.Tensor {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return tf.tensor(data, shape);
}
