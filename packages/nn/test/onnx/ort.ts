// Test helpers: run an exported model in onnxruntime-node and compare with pq's forward.
import * as tf from '@tensorflow/tfjs-core';
import ort from 'onnxruntime-node';
import { shapeSize } from '@pq/core';
import { seededValues } from '@pq/fixtures';
import { decodeOnnx, type Module } from '@pq/nn';

/**
 * Runs `bytes` in ONNX Runtime on `inputs`; returns the outputs in graph order.
 *
 * The default level is 'basic': it folds constants but keeps every QuantizeLinear /
 * DequantizeLinear node, so ORT computes the exported graph's own float math and matches pq's
 * fake-quant forward to float rounding on any CPU. At 'extended' / 'all' (ORT's default) ORT
 * fuses Q/DQ + Gemm/Conv into int8 kernels (QGemm, QLinearConv) whose results depend on the
 * CPU's instruction set (e.g. VNNI or not); tests that want that deployment view pass the
 * level and derive their tolerance from the quantization step.
 */
export async function runOrt(
  bytes: Uint8Array,
  inputs: tf.Tensor[],
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all' = 'basic',
): Promise<Array<{ data: Float32Array; dims: number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    session.inputNames.forEach((name, i) => {
      const t = inputs[i]!;
      feeds[name] = t.dtype === 'int32'
        ? new ort.Tensor('int32', Int32Array.from(t.dataSync()), [...t.shape])
        : new ort.Tensor('float32', Float32Array.from(t.dataSync()), [...t.shape]);
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

/** A deterministic pseudo-random tensor in [-scale, scale) (no tf.random: seeds differ between backends). */
export function seeded(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tensor(seededValues(shapeSize(shape), seed, scale), shape);
}

export interface NodeView {
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, number | number[]>;
}
export interface InitializerView {
  dataType: number;
  dims: number[];
  /** Float values (for FLOAT initializers). */
  floats: number[];
}

/** The decoded graph, flattened to plain fields (protobufjs types are all optional). */
export function graphView(bytes: Uint8Array): { nodes: NodeView[]; initializers: Record<string, InitializerView>; domains: string[] } {
  const { model, graph } = decodeOnnx(bytes);
  const nodes = graph.node.map((n) => ({
    opType: n.opType ?? '',
    domain: n.domain ?? '',
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attrs: Object.fromEntries((n.attribute ?? []).map((a) => [a.name ?? '', a.ints?.length ? a.ints.map(Number) : Number(a.i ?? a.f ?? 0)])),
  }));
  const initializers: Record<string, InitializerView> = {};
  for (const t of graph.initializer) {
    const raw = t.rawData ?? new Uint8Array();
    const bytesCopy = new Uint8Array(raw).buffer;
    initializers[t.name ?? ''] = {
      dataType: t.dataType ?? 0,
      dims: (t.dims ?? []).map(Number),
      floats: t.dataType === 1 ? Array.from(new Float32Array(bytesCopy)) : [],
    };
  }
  return { nodes, initializers, domains: model.opsetImport.map((o) => o.domain ?? '') };
}
