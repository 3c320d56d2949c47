// Activations and pass-through ops. Each imports as pq's layer where one computes it (Relu,
// Sigmoid, Tanh, LeakyRelu, HardSwish, HardSigmoid with PyTorch's alpha 1/6, Clip with constant
// bounds as ReLU6 / Hardtanh, Gelu, Softmax / LogSoftmax over one axis) and otherwise runs
// functionally with ONNX's own formulas (HardSigmoid's alpha and beta, Clip's bounds as inputs,
// Softmax before opset 13 over the input flattened to 2-D at `axis`). Identity and Dropout
// (inference) pass their input through.
import * as tf from '@tensorflow/tfjs-core';
import {
  GELU, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, LogSoftmax, ReLU, ReLU6, Sigmoid, Softmax, Tanh, attr, type Module,
} from '@pq/nn';
import { ElemType } from '../types.js';
import { normAxis } from '../shapes.js';
import { emitSame, type Emitter, type OpContext, type OpDef, type PreparedOp } from './op.js';

function floatInput(c: OpContext): void {
  if (c.type(0).elemType !== ElemType.FLOAT) c.refuse('input must be FLOAT');
}

function activation(opType: string, f: (x: tf.Tensor) => tf.Tensor, layer?: () => Module): OpDef {
  return (c: OpContext) => {
    floatInput(c);
    const op: PreparedOp = { outputs: [{ ...c.type(0) }], run: ([x]) => [f(x!)], emit: emitSame(opType) };
    if (layer !== undefined) op.layer = { create: layer, dataInput: 0, params: {} };
    return op;
  };
}

const leakyRelu: OpDef = (c: OpContext) => {
  floatInput(c);
  const alpha = c.attrs.float('alpha', 0.01);
  return {
    outputs: [{ ...c.type(0) }],
    run: ([x]) => [tf.leakyRelu(x!, alpha)],
    emit: emitSame('LeakyRelu', { alpha: attr.float(alpha) }),
    layer: { create: () => new LeakyReLU(alpha), dataInput: 0, params: {} },
  };
};

const HARD_SWISH_ALPHA = Math.fround(1 / 6);

function hardSigmoid(x: tf.Tensor, alpha: number, beta: number): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(x, alpha), beta), 0, 1));
}

const hardSigmoidOp: OpDef = (c: OpContext) => {
  floatInput(c);
  const alpha = c.attrs.float('alpha', 0.2);
  const beta = c.attrs.float('beta', 0.5);
  const op: PreparedOp = {
    outputs: [{ ...c.type(0) }],
    run: ([x]) => [hardSigmoid(x!, alpha, beta)],
    emit: emitSame('HardSigmoid', { alpha: attr.float(alpha), beta: attr.float(beta) }),
  };
  // PyTorch's Hardsigmoid is relu6(x + 3) / 6: alpha 1/6 (as torch.onnx writes it), beta 0.5.
  if (Math.fround(alpha) === HARD_SWISH_ALPHA && beta === 0.5) op.layer = { create: () => new Hardsigmoid(), dataInput: 0, params: {} };
  return op;
};

// HardSwish (from opset 14) is x * HardSigmoid(x) with alpha 1/6, beta 0.5.
const hardSwish: OpDef = (c: OpContext) => {
  floatInput(c);
  return {
    outputs: [{ ...c.type(0) }],
    layer: { create: () => new Hardswish(), dataInput: 0, params: {} },
    run: ([x]) => [tf.tidy(() => tf.mul(x!, hardSigmoid(x!, HARD_SWISH_ALPHA, 0.5)))],
    emit: (e) => {
      if (e.opset >= 14) {
        e.node('HardSwish', [e.input(0)]);
        return;
      }
      const [hs] = e.temp('HardSigmoid', [e.input(0)], { alpha: attr.float(HARD_SWISH_ALPHA), beta: attr.float(0.5) });
      e.node('Mul', [e.input(0), hs!]);
    },
  };
};

/** A scalar input's value at run time, or `dflt` when absent. */
function scalarOf(t: tf.Tensor | null, dflt: number): number {
  if (t === null) return dflt;
  if (t.size !== 1) throw new Error(`Clip: min and max must be scalars, got shape [${t.shape.join(', ')}]`);
  return t.dataSync()[0]!;
}

const clip: OpDef = (c: OpContext) => {
  const t = c.type(0);
  if (t.elemType === ElemType.BOOL) c.refuse('boolean input is not supported');
  for (const i of [1, 2]) {
    const k = c.constant(i);
    if (k !== null && k.values.length !== 1) c.refuse(`input ${i} (${i === 1 ? 'min' : 'max'}) must be a scalar, got shape [${k.dims.join(', ')}]`);
  }
  const op: PreparedOp = {
    outputs: [{ ...t }],
    run: ([x, lo, hi]) => [tf.clipByValue(x!, scalarOf(lo ?? null, -Infinity), scalarOf(hi ?? null, Infinity))],
    emit: emitSame('Clip'),
  };
  const [lo, hi] = [c.constant(1), c.constant(2)];
  if (t.elemType === ElemType.FLOAT && lo !== null && hi !== null && lo.values[0]! < hi.values[0]!) {
    const [a, b] = [lo.values[0]!, hi.values[0]!];
    op.layer = { create: () => (a === 0 && b === 6 ? new ReLU6() : new Hardtanh(a, b)), dataInput: 0, params: {} };
  }
  return op;
};

const gelu: OpDef = (c: OpContext) => {
  floatInput(c);
  const approximate = c.attrs.string('approximate', 'none');
  if (approximate !== 'none' && approximate !== 'tanh') c.refuse(`attribute approximate='${approximate}' is not supported ('none' or 'tanh')`);
  const k = Math.sqrt(2 / Math.PI);
  return {
    outputs: [{ ...c.type(0) }],
    layer: { create: () => new GELU({ approximate: approximate as 'none' | 'tanh' }), dataInput: 0, params: {} },
    run: ([x]) => [tf.tidy(() => {
      const inner = approximate === 'tanh'
        ? tf.tanh(tf.mul(tf.add(x!, tf.mul(tf.pow(x!, 3), 0.044715)), k))
        : tf.erf(tf.mul(x!, Math.SQRT1_2));
      return tf.mul(tf.mul(x!, 0.5), tf.add(inner, 1));
    })],
    // Gelu exists from opset 20; below, its formula.
    emit: (e) => {
      const x = e.input(0);
      if (e.opset >= 20) {
        e.node('Gelu', [x], { approximate: attr.string(approximate) });
        return;
      }
      let inner: string;
      if (approximate === 'tanh') {
        const [cube] = e.temp('Pow', [x, e.float([3], [])]);
        const [scaled] = e.temp('Mul', [cube!, e.float([0.044715], [])]);
        const [sum] = e.temp('Add', [x, scaled!]);
        const [arg] = e.temp('Mul', [sum!, e.float([k], [])]);
        [inner] = e.temp('Tanh', [arg!]) as [string];
      } else {
        const [arg] = e.temp('Mul', [x, e.float([Math.SQRT1_2], [])]);
        [inner] = e.temp('Erf', [arg!]) as [string];
      }
      const [half] = e.temp('Mul', [x, e.float([0.5], [])]);
      const [onePlus] = e.temp('Add', [inner, e.float([1], [])]);
      e.node('Mul', [half!, onePlus!]);
    },
  };
};

/** Softmax or LogSoftmax of x along its last axis. */
function lastAxis(x: tf.Tensor, log: boolean): tf.Tensor {
  return log ? tf.logSoftmax(x) : tf.softmax(x);
}

function softmax(opType: 'Softmax' | 'LogSoftmax'): OpDef {
  const log = opType === 'LogSoftmax';
  return (c: OpContext) => {
    floatInput(c);
    // Before opset 13 the op normalises over the input flattened to [before axis, from axis on].
    const legacy = c.opset < 13;
    const axis = c.attrs.int('axis', legacy ? 1 : -1);
    const shape = c.shape(0);
    if (shape !== null) normAxis(axis, Math.max(shape.length, 1), (why) => c.refuse(why));
    const run = (x: tf.Tensor): tf.Tensor => {
      const rank = x.rank;
      const a = axis < 0 ? axis + rank : axis;
      return tf.tidy(() => {
        if (a === rank - 1) return lastAxis(x, log);
        if (legacy) {
          const before = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
          return tf.reshape(lastAxis(tf.reshape(x, [before, -1]), log), x.shape);
        }
        const perm = x.shape.map((_, i) => i);
        perm[a] = rank - 1;
        perm[rank - 1] = a;
        return tf.transpose(lastAxis(tf.transpose(x, perm), log), perm);
      });
    };
    const emit = (e: Emitter): void => {
      const rank = e.inputTensor(0)!.rank;
      const a = axis < 0 ? axis + rank : axis;
      if (!legacy || a === rank - 1) {
        e.node(opType, [e.input(0)], { axis: attr.int(a) });
        return;
      }
      const [flat] = e.temp('Flatten', [e.input(0)], { axis: attr.int(a) });
      const [norm] = e.temp(opType, [flat!], { axis: attr.int(1) });
      const [shapeOf] = e.temp('Shape', [e.input(0)]);
      e.node('Reshape', [norm!, shapeOf!]);
    };
    const op: PreparedOp = { outputs: [{ ...c.type(0) }], run: ([x]) => [run(x!)], emit };
    const rank = shape?.length;
    if (!legacy || (rank !== undefined && (axis < 0 ? axis + rank : axis) === rank - 1)) {
      op.layer = { create: () => (log ? new LogSoftmax(axis) : new Softmax(axis)), dataInput: 0, params: {} };
    }
    return op;
  };
}

/** The input as the output: Identity, and Dropout at inference (its mask, if used, is refused). */
function passThrough(opType: 'Identity' | 'Dropout'): OpDef {
  return (c: OpContext) => {
    if (opType === 'Dropout') {
      c.attrs.ignore('seed');
      c.attrs.float('ratio');
      if (c.outputUsed(1)) c.refuse('its mask output is used; pq imports Dropout as inference (the input passed through)');
      const training = c.constant(2);
      if (c.has(2) && (training === null || training.values[0] !== 0)) c.refuse('training_mode must be a constant false');
    }
    return { outputs: [{ ...c.type(0) }], run: ([x]) => [x!], emit: (e) => e.alias(0, e.input(0)) };
  };
}

export const activationOps: Record<string, OpDef> = {
  Relu: activation('Relu', tf.relu, () => new ReLU()),
  Sigmoid: activation('Sigmoid', tf.sigmoid, () => new Sigmoid()),
  Tanh: activation('Tanh', tf.tanh, () => new Tanh()),
  LeakyRelu: leakyRelu,
  HardSigmoid: hardSigmoidOp,
  HardSwish: hardSwish,
  Clip: clip,
  Gelu: gelu,
  Softmax: softmax('Softmax'),
  LogSoftmax: softmax('LogSoftmax'),
  Identity: passThrough('Identity'),
  Dropout: passThrough('Dropout'),
};
