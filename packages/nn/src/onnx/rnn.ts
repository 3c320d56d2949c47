// LSTM cells, unrolled: one Gemm per weight matrix, Split into the gates (i, f, g, o as in
// PyTorch), Sigmoid/Tanh and elementwise Mul/Add. Unrolled (rather than ONNX's LSTM op) so that
// quantized cells keep their Q/DQ pairs on the input and the weights, which the LSTM op has no
// place for; a whole LSTM unrolls over the sample's sequence length (fixed in the graph).
import { attr } from './proto.js';
import { isTensor, type ConvertContext } from './context.js';
import { registerFunctionalConverter } from './registry.js';

/** Weights of one cell as graph values (after their Q/DQ when quantized). */
export interface CellWeights {
  hidden: number;
  /**
   * Either separate matrices (float: gates = x W_ih^T + b_ih + h W_hh^T + b_hh) or one
   * concatenated matrix applied to concat([x, h]) (quantized cells quantize these).
   */
  weightIh?: string;
  weightHh?: string;
  weightCat?: string;
  biasIh: string | null;
  biasHh: string | null;
  /** Quantizes concat([x, h]) (QuantLSTMCell's input quantizer); identity when absent. */
  quantizeInput?: (xh: string, shape: number[]) => string;
}

/** A [batch, hidden] zero state whose batch follows `x` ([batch, features]) at run time. */
export function emitZeroState(ctx: ConvertContext, x: string, hidden: number): string {
  const g = ctx.graph;
  const shape = g.op('Shape', [x], ctx.local('x_shape'));
  const batch = g.op('Gather', [shape, g.int64Const(ctx.local('zero_idx'), [0])], ctx.local('batch'), { axis: attr.int(0) });
  const full = g.op('Concat', [batch, g.int64Const(ctx.local('hidden_size'), [hidden])], ctx.local('state_shape'), { axis: attr.int(0) });
  return g.op('ConstantOfShape', [full], ctx.local('zero_state'), {
    value: attr.tensor({ name: 'value', dataType: 1, dims: [1], rawData: new Uint8Array(4) }),
  });
}

/** One LSTM step on x [B, I], h [B, H], c [B, H]; returns [h', c']. */
export function emitLstmCell(ctx: ConvertContext, x: string, inputSize: number, h: string, c: string, w: CellWeights, batch: number): [string, string] {
  const g = ctx.graph;
  const H = w.hidden;
  let gates: string;
  if (w.weightCat !== undefined) {
    let xh = g.op('Concat', [x, h], ctx.local('xh'), { axis: attr.int(1) });
    if (w.quantizeInput) xh = w.quantizeInput(xh, [batch, inputSize + H]);
    gates = g.op('Gemm', [xh, w.weightCat], ctx.local('gates'), { transB: attr.int(1) });
    for (const b of [w.biasIh, w.biasHh]) if (b !== null) gates = g.op('Add', [gates, b], ctx.local('gates'));
  } else {
    const gi = g.op('Gemm', w.biasIh === null ? [x, w.weightIh!] : [x, w.weightIh!, w.biasIh], ctx.local('gates_ih'), { transB: attr.int(1) });
    const gh = g.op('Gemm', w.biasHh === null ? [h, w.weightHh!] : [h, w.weightHh!, w.biasHh], ctx.local('gates_hh'), { transB: attr.int(1) });
    gates = g.op('Add', [gi, gh], ctx.local('gates'));
  }
  const split = g.int64Const(ctx.local('gate_sizes'), [H, H, H, H]);
  const [i, f, gg, o] = g.node('Split', [gates, split], ['i', 'f', 'g', 'o'].map((n) => ctx.local(`gate_${n}`)), { axis: attr.int(1) }, { name: ctx.local('Split') });
  const ig = g.op('Sigmoid', [i!], ctx.local('input_gate'));
  const fg = g.op('Sigmoid', [f!], ctx.local('forget_gate'));
  const cg = g.op('Tanh', [gg!], ctx.local('cell_gate'));
  const og = g.op('Sigmoid', [o!], ctx.local('output_gate'));
  const c2 = g.op('Add', [g.op('Mul', [fg, c], ctx.local('fc')), g.op('Mul', [ig, cg], ctx.local('ig'))], ctx.local('c'));
  const h2 = g.op('Mul', [og, g.op('Tanh', [c2], ctx.local('tanh_c'))], ctx.local('h'));
  return [h2, c2];
}

/**
 * The value of a state tensor: a zero literal whose first dimension is the batch becomes a
 * run-time zero state (so a dynamic batch works), anything else its graph name.
 */
export function stateValue(ctx: ConvertContext, t: unknown, x: string, batch: number, hidden: number, what: string): string {
  if (ctx.isLiteral(t) && isTensor(t) && t.rank === 2 && t.shape[0] === batch && t.shape[1] === hidden && t.dataSync().every((v) => v === 0)) {
    return emitZeroState(ctx, x, hidden);
  }
  return ctx.nameOf(t, what);
}

registerFunctionalConverter('lstmCell', (ctx, [x, h, c, weightIh, weightHh, biasIh, biasHh], _attrs, out) => {
  if (!isTensor(x) || !isTensor(weightHh)) return ctx.refuse('lstmCell needs tensor input and weights');
  const xName = ctx.nameOf(x, 'input');
  const batch = x.shape[0]!;
  const hidden = weightHh.shape[1]!;
  const weights: CellWeights = {
    hidden,
    weightIh: ctx.nameOf(weightIh, 'weightIh'),
    weightHh: ctx.nameOf(weightHh, 'weightHh'),
    biasIh: biasIh === null || biasIh === undefined ? null : ctx.nameOf(biasIh, 'biasIh'),
    biasHh: biasHh === null || biasHh === undefined ? null : ctx.nameOf(biasHh, 'biasHh'),
  };
  const hName = stateValue(ctx, h, xName, batch, hidden, 'h');
  const cName = stateValue(ctx, c, xName, batch, hidden, 'c');
  const [h1, c1] = emitLstmCell(ctx, xName, x.shape[1]!, hName, cName, weights, batch);
  const [hOut, cOut] = out as [unknown, unknown];
  ctx.bind(hOut, h1);
  ctx.bind(cOut, c1);
});
