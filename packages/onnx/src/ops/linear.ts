// Gemm -> Linear (weight B, or B transposed, times alpha; bias beta * C as a [N] vector) and
// MatMul with a constant 2-D right operand -> Linear without bias, which takes the bias of an
// Add that follows (what torch.onnx writes for nn.Linear on inputs of rank > 2). Anything
// else (transA, a computed weight, a 2-D C) runs functionally.
import * as tf from '@tensorflow/tfjs-core';
import { F, Linear, attr, type Module } from '@pq/nn';
import { ElemType, type Dim } from '../types.js';
import { loadParam, transposed } from './params.js';
import type { ConstTensor } from '../tensors.js';
import { emitSame, type OpContext, type OpDef, type PreparedOp } from './op.js';

/** A Linear of weight [out, in] = `weightT`-transposed-or-not `values`, optional bias. */
function linearLayer(inF: number, outF: number, weight: Float32Array, bias: Float32Array | null): () => Module {
  return () => {
    const m = new Linear(inF, outF, { bias: bias !== null });
    loadParam(m.weight, weight, [outF, inF], 'weight');
    if (bias !== null) loadParam(m.bias, bias, [outF], 'bias');
    return m;
  };
}

/** `c` as a bias of `n` values: [n], [1, n] or a scalar broadcast; null for any other shape. */
function biasVector(c: ConstTensor, n: number, scale: number): Float32Array | null {
  const size = c.values.length;
  const ok = (c.dims.length === 1 && c.dims[0] === n) || (c.dims.length === 2 && c.dims[0] === 1 && c.dims[1] === n) || size === 1;
  if (!ok) return null;
  return Float32Array.from({ length: n }, (_, i) => Math.fround(scale * c.values[size === 1 ? 0 : i]!));
}

const gemm: OpDef = (c: OpContext): PreparedOp => {
  for (let i = 0; i < c.inputCount; i++) if (c.has(i) && c.type(i).elemType !== ElemType.FLOAT) c.refuse(`input ${i} must be FLOAT`);
  const alpha = c.attrs.float('alpha', 1);
  const beta = c.attrs.float('beta', 1);
  const transA = c.attrs.int('transA', 0) === 1;
  const transB = c.attrs.int('transB', 0) === 1;
  const a = c.shape(0);
  const b = c.constant(1)?.dims ?? c.shape(1);
  if ((a !== null && a.length !== 2) || (b !== null && b.length !== 2)) c.refuse('A and B must be 2-D');
  const m: Dim = a === null ? null : a[transA ? 1 : 0]!;
  const n: Dim = b === null ? null : b[transB ? 0 : 1]!;
  const op: PreparedOp = {
    outputs: [{ elemType: ElemType.FLOAT, shape: [m, n] }],
    run: ([x, w, bias]) => [tf.tidy(() => {
      let y = tf.matMul(x!, w!, transA, transB);
      if (alpha !== 1) y = tf.mul(y, alpha);
      if (bias) y = tf.add(y, beta === 1 ? bias : tf.mul(bias, beta));
      return y;
    })],
    emit: emitSame('Gemm', { alpha: attr.float(alpha), beta: attr.float(beta), transA: attr.int(transA ? 1 : 0), transB: attr.int(transB ? 1 : 0) }),
  };
  const w = c.constant(1);
  const bias = c.has(2) ? c.constant(2) : null;
  if (!transA && w !== null && c.ownsInitializer(1) && (!c.has(2) || (bias !== null && c.ownsInitializer(2)))) {
    const [rows, cols] = w.dims as [number, number];
    const [inF, outF] = transB ? [cols, rows] : [rows, cols];
    const biasValues = bias === null ? null : biasVector(bias, outF, beta);
    if (bias === null || biasValues !== null) {
      const raw = transB ? w.values : transposed(w.values, rows, cols);
      const weight = alpha === 1 ? Float32Array.from(raw) : Float32Array.from(raw, (v) => Math.fround(alpha * v));
      op.layer = { create: linearLayer(inF, outF, weight, biasValues), dataInput: 0, params: c.has(2) ? { weight: 1, bias: 2 } : { weight: 1 } };
    }
  }
  return op;
};

const matMul: OpDef = (c: OpContext): PreparedOp => {
  for (const i of [0, 1]) if (c.type(i).elemType !== ElemType.FLOAT) c.refuse(`input ${i} must be FLOAT`);
  const a = c.shape(0);
  const w = c.constant(1);
  const b = w?.dims ?? c.shape(1);
  let shape: Dim[] | null = null;
  if (a !== null && b !== null && b.length === 2 && a.length >= 1) shape = [...a.slice(0, -1), b[1]!];
  const op: PreparedOp = {
    outputs: [{ elemType: ElemType.FLOAT, shape }],
    run: ([x, y]) => [F.matmul(x!, y!)],
    emit: emitSame('MatMul'),
  };
  if (w !== null && w.dims.length === 2 && c.ownsInitializer(1) && (a === null || a.length >= 2)) {
    const [inF, outF] = w.dims as [number, number];
    const weight = transposed(w.values, inF, outF);
    op.layer = {
      create: linearLayer(inF, outF, weight, null),
      dataInput: 0,
      params: { weight: 1 },
      withBias: (bias) => {
        const v = bias.dims.length === 1 && bias.dims[0] === outF ? Float32Array.from(bias.values) : null;
        return v === null ? null : linearLayer(inF, outF, weight, v);
      },
    };
  }
  return op;
};

export const linearOps: Record<string, OpDef> = { Gemm: gemm, MatMul: matMul };
