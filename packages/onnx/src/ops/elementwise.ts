// Elementwise ops with numpy broadcasting: arithmetic (Add, Sub, Mul, Div, Pow), comparisons
// (Equal, Less, Greater -> bool), Where, and the unary math ops (Sqrt, Neg, Erf, Exp, Log, Abs,
// Reciprocal, Floor, Ceil, Not). Integer Div truncates toward zero, as ONNX Runtime does.
import * as tf from '@tensorflow/tfjs-core';
import { ElemType, type ValueType } from '../types.js';
import { broadcastDims } from '../shapes.js';
import { emitSame, withoutGradient, type OpContext, type OpDef, type PreparedOp } from './op.js';

function sameTypes(c: OpContext, indices: readonly number[]): number {
  const types = indices.map((i) => c.type(i).elemType);
  if (types.some((t) => t !== types[0])) c.refuse(`inputs have different element types (${types.join(', ')})`);
  return types[0]!;
}

function broadcastAll(c: OpContext, indices: readonly number[]): ValueType['shape'] {
  return indices.slice(1).reduce((s, i) => broadcastDims(s, c.shape(i), (why) => c.refuse(why)), c.shape(indices[0]!));
}

function intDiv(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.div(tf.cast(a, 'float32'), tf.cast(b, 'float32')), 'int32'));
}

const BINARY: Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
  Add: tf.add,
  Sub: tf.sub,
  Mul: tf.mul,
  Div: (a, b) => (a.dtype === 'int32' ? intDiv(a, b) : tf.div(a, b)),
};

function binary(opType: string): OpDef {
  const f = BINARY[opType]!;
  return (c: OpContext) => {
    const elemType = sameTypes(c, [0, 1]);
    if (elemType === ElemType.BOOL) c.refuse('boolean operands are not supported');
    return {
      outputs: [{ elemType, shape: broadcastAll(c, [0, 1]) }],
      run: ([a, b]) => [f(a!, b!)],
      emit: emitSame(opType),
    };
  };
}

const pow: OpDef = (c: OpContext) => {
  if (c.type(0).elemType !== ElemType.FLOAT) c.refuse('only float bases are supported');
  return {
    outputs: [{ elemType: ElemType.FLOAT, shape: broadcastAll(c, [0, 1]) }],
    run: ([a, b]) => [b!.dtype === 'float32' ? tf.pow(a!, b!) : tf.tidy(() => tf.pow(a!, tf.cast(b!, 'float32')))],
    emit: emitSame('Pow'),
  };
};

const COMPARE: Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = { Equal: tf.equal, Less: tf.less, Greater: tf.greater };

function compare(opType: string): OpDef {
  const f = COMPARE[opType]!;
  return (c: OpContext) => {
    sameTypes(c, [0, 1]);
    return {
      outputs: [{ elemType: ElemType.BOOL, shape: broadcastAll(c, [0, 1]) }],
      run: ([a, b]) => [withoutGradient([a!, b!], () => f(a!, b!))],
      emit: emitSame(opType),
    };
  };
}

const where: OpDef = (c: OpContext) => {
  if (c.type(0).elemType !== ElemType.BOOL) c.refuse('the condition must be BOOL');
  const elemType = sameTypes(c, [1, 2]);
  return {
    outputs: [{ elemType, shape: broadcastAll(c, [0, 1, 2]) }],
    run: ([cond, a, b]) => [tf.where(cond!, a!, b!)],
    emit: emitSame('Where'),
  };
};

/** `f` on float inputs only (`ints` also allows integers). */
function unary(opType: string, f: (x: tf.Tensor) => tf.Tensor, ints = false): OpDef {
  return (c: OpContext) => {
    const t = c.type(0);
    if (t.elemType === ElemType.BOOL || (!ints && t.elemType !== ElemType.FLOAT)) c.refuse(`input must be FLOAT${ints ? ' or an integer type' : ''}`);
    return { outputs: [{ ...t }], run: ([x]) => [f(x!)], emit: emitSame(opType) };
  };
}

const not: OpDef = (c: OpContext): PreparedOp => {
  if (c.type(0).elemType !== ElemType.BOOL) c.refuse('input must be BOOL');
  return { outputs: [{ ...c.type(0) }], run: ([x]) => [withoutGradient([x!], () => tf.logicalNot(x!))], emit: emitSame('Not') };
};

export const elementwiseOps: Record<string, OpDef> = {
  Add: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  Div: binary('Div'),
  Pow: pow,
  Equal: compare('Equal'),
  Less: compare('Less'),
  Greater: compare('Greater'),
  Where: where,
  Not: not,
  Sqrt: unary('Sqrt', tf.sqrt),
  Erf: unary('Erf', tf.erf),
  Exp: unary('Exp', tf.exp),
  Log: unary('Log', tf.log),
  Reciprocal: unary('Reciprocal', tf.reciprocal),
  Floor: unary('Floor', tf.floor),
  Ceil: unary('Ceil', tf.ceil),
  Neg: unary('Neg', tf.neg, true),
  Abs: unary('Abs', tf.abs, true),
};
