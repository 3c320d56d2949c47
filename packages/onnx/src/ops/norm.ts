// BatchNormalization (inference) -> BatchNorm1d/2d/3d, LayerNormalization -> LayerNorm,
// InstanceNormalization -> InstanceNorm1d/2d/3d, when their parameters are initializers of the
// node alone and the input's rank is known; otherwise functionally (F.batchNorm, the layer-norm
// formula over the trailing axes, F.instanceNorm).
import * as tf from '@tensorflow/tfjs-core';
import {
  BatchNorm1d, BatchNorm2d, BatchNorm3d, F, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LayerNorm, attr, type Module,
} from '@pq/nn';
import { ElemType } from '../types.js';
import { loadConst, loadParam } from './params.js';
import { emitSame, type Emitter, type OpContext, type OpDef, type PreparedOp } from './op.js';

function floatInputs(c: OpContext): void {
  for (let i = 0; i < c.inputCount; i++) if (c.has(i) && c.type(i).elemType !== ElemType.FLOAT) c.refuse(`input ${i} must be FLOAT`);
}

/** Whether inputs `from..` are all initializers of this node alone (absent optional ones allowed). */
function ownsAll(c: OpContext, from: number): boolean {
  for (let i = from; i < c.inputCount; i++) if (c.has(i) && (!c.ownsInitializer(i) || c.constant(i) === null)) return false;
  return true;
}

function unusedExtraOutputs(c: OpContext, what: string): void {
  for (let i = 1; i < c.outputCount; i++) if (c.outputUsed(i)) c.refuse(`output ${i} (${what}) is used; pq imports the normalised output only`);
}

const BATCH_NORM = { 2: BatchNorm1d, 3: BatchNorm1d, 4: BatchNorm2d, 5: BatchNorm3d } as const;
const INSTANCE_NORM = { 3: InstanceNorm1d, 4: InstanceNorm2d, 5: InstanceNorm3d } as const;

const batchNormalization: OpDef = (c: OpContext): PreparedOp => {
  floatInputs(c);
  const eps = c.attrs.float('epsilon', 1e-5);
  const momentum = c.attrs.float('momentum', 0.9);
  if (c.opset >= 14) c.attrs.expect('training_mode', 0, 'pq imports inference-mode batch norm; train the imported BatchNorm layer instead');
  unusedExtraOutputs(c, 'running statistics');
  const op: PreparedOp = {
    outputs: [{ ...c.type(0) }],
    run: ([x, scale, bias, mean, variance]) => [F.batchNorm(x!, mean!, variance!, { weight: scale!, bias: bias!, eps })],
    emit: emitSame('BatchNormalization', { epsilon: attr.float(eps), momentum: attr.float(momentum) }),
  };
  const rank = c.shape(0)?.length;
  const Layer = rank === undefined ? undefined : BATCH_NORM[rank as keyof typeof BATCH_NORM];
  if (Layer !== undefined && ownsAll(c, 1)) {
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => c.constant(i)!);
    const channels = scale!.values.length;
    op.layer = {
      create: () => {
        // ONNX's momentum weighs the running value; PyTorch's the new batch.
        const m = new Layer(channels, { eps, momentum: Number((1 - momentum).toPrecision(6)) });
        loadConst(m.weight, scale!, 'weight');
        loadConst(m.bias, bias!, 'bias');
        loadConst(m.running_mean, mean!, 'running_mean');
        loadConst(m.running_var, variance!, 'running_var');
        return m;
      },
      dataInput: 0,
      params: { weight: 1, bias: 2, running_mean: 3, running_var: 4 },
    };
  }
  return op;
};

function layerNormFormula(x: tf.Tensor, axis: number, eps: number, scale: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
  return tf.tidy(() => {
    const axes = Array.from({ length: x.rank - axis }, (_, i) => axis + i);
    const { mean, variance } = tf.moments(x, axes, true);
    const y = tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), scale);
    return bias === null ? y : tf.add(y, bias);
  });
}

const layerNormalization: OpDef = (c: OpContext): PreparedOp => {
  floatInputs(c);
  const axis = c.attrs.int('axis', -1);
  const eps = c.attrs.float('epsilon', 1e-5);
  c.attrs.expect('stash_type', 1);
  unusedExtraOutputs(c, 'mean / inverse standard deviation');
  const s = c.shape(0);
  const axisAt = (rank: number) => (axis < 0 ? axis + rank : axis);
  if (s !== null && (axisAt(s.length) < 0 || axisAt(s.length) >= s.length)) c.refuse(`axis ${axis} is out of range for rank ${s.length}`);
  const emit = (e: Emitter): void => {
    const rank = e.inputTensor(0)!.rank;
    if (e.opset >= 17) {
      e.node('LayerNormalization', [e.input(0), e.input(1), ...(c.has(2) ? [e.input(2)] : [])], { axis: attr.int(axis), epsilon: attr.float(eps) });
      return;
    }
    // LayerNormalization exists from opset 17: written as its formula below.
    const axes = Array.from({ length: rank - axisAt(rank) }, (_, i) => axisAt(rank) + i);
    const mean = (v: string) => e.temp('ReduceMean', [v], { axes: attr.ints(axes), keepdims: attr.int(1) })[0]!;
    const [d] = e.temp('Sub', [e.input(0), mean(e.input(0))]);
    const [sq] = e.temp('Mul', [d!, d!]);
    const [ve] = e.temp('Add', [mean(sq!), e.float([eps], [])]);
    const [std] = e.temp('Sqrt', [ve!]);
    const [n] = e.temp('Div', [d!, std!]);
    if (c.has(2)) e.node('Add', [e.temp('Mul', [n!, e.input(1)])[0]!, e.input(2)]);
    else e.node('Mul', [n!, e.input(1)]);
  };
  const op: PreparedOp = {
    outputs: [{ ...c.type(0) }],
    run: ([x, scale, bias]) => [layerNormFormula(x!, axisAt(x!.rank), eps, scale!, bias ?? null)],
    emit,
  };
  const scale = c.constant(1);
  const bias = c.has(2) ? c.constant(2) : null;
  if (scale !== null && ownsAll(c, 1)) {
    const k = scale.dims.length;
    const normalized = axis < 0 ? -axis : s === null ? null : s.length - axis;
    const tail = s === null ? null : s.slice(s.length - k);
    const fits = normalized === k && (tail === null || tail.every((d, i) => d === null || typeof d === 'string' || d === scale.dims[i]))
      && (bias === null || bias.dims.join() === scale.dims.join());
    if (fits) {
      op.layer = {
        create: () => {
          const m: Module & { weight: tf.Variable | null; bias: tf.Variable | null } = new LayerNorm(scale.dims, { eps });
          loadConst(m.weight, scale, 'weight');
          if (bias !== null) loadConst(m.bias, bias, 'bias');
          return m;
        },
        dataInput: 0,
        params: c.has(2) ? { weight: 1, bias: 2 } : { weight: 1 },
      };
    }
  }
  return op;
};

const instanceNormalization: OpDef = (c: OpContext): PreparedOp => {
  floatInputs(c);
  const eps = c.attrs.float('epsilon', 1e-5);
  const op: PreparedOp = {
    outputs: [{ ...c.type(0) }],
    run: ([x, scale, bias]) => [F.instanceNorm(x!, { weight: scale!, bias: bias!, eps })],
    emit: emitSame('InstanceNormalization', { epsilon: attr.float(eps) }),
  };
  const rank = c.shape(0)?.length;
  const Layer = rank === undefined ? undefined : INSTANCE_NORM[rank as keyof typeof INSTANCE_NORM];
  if (Layer !== undefined && ownsAll(c, 1)) {
    const [scale, bias] = [c.constant(1)!, c.constant(2)!];
    op.layer = {
      create: () => {
        const m = new Layer(scale.values.length, { eps, affine: true });
        loadConst(m.weight, scale, 'weight');
        loadParam(m.bias, bias.values, bias.dims, 'bias');
        return m;
      },
      dataInput: 0,
      params: { weight: 1, bias: 2 },
    };
  }
  return op;
};

export const normOps: Record<string, OpDef> = {
  BatchNormalization: batchNormalization,
  LayerNormalization: layerNormalization,
  InstanceNormalization: instanceNormalization,
};
