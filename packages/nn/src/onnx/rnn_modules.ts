// LSTMCell / QuantLSTMCell / LSTM / QuantLSTM as whole modules: their forwards use tfjs ops
// directly (zeros, stack, split) around F.lstmCell, so they get module converters that emit the
// unrolled graph of rnn.ts. Quantized cells quantize concat([x, h]) with the input quantizer
// and concat([w_ih, w_hh], 1) (one float initializer) with the weight quantizer, as the layers do.
import * as tf from '@tensorflow/tfjs-core';
import { LSTM, LSTMCell } from '../layers/rnn.js';
import { QuantLSTM, QuantLSTMCell } from '../quant/rnn.js';
import type { TensorQuantizer } from '../quant/tensor_quantizer.js';
import { attr } from './proto.js';
import { isTensor, type ConvertContext } from './context.js';
import { emitLstmCell, emitZeroState, type CellWeights } from './rnn.js';
import { emitQuantizer } from './quantizer.js';
import { registerModuleConverter } from './registry.js';

interface CellParams {
  weightIh: tf.Tensor;
  weightHh: tf.Tensor;
  biasIh: tf.Tensor | null;
  biasHh: tf.Tensor | null;
}

interface CellQuantizers {
  input: TensorQuantizer;
  weight: TensorQuantizer;
  /** Field paths inside the module, e.g. '_input_quantizers.1'. */
  inputField: string;
  weightField: string;
}

/** The cell's weights as graph values; a quantized cell gets its fused weight's Q/DQ (once). */
function cellWeights(ctx: ConvertContext, p: CellParams, q: CellQuantizers | null, suffix: string): CellWeights {
  const hidden = p.weightHh.shape[1]!;
  const biasIh = p.biasIh === null ? null : ctx.nameOf(p.biasIh, 'bias_ih');
  const biasHh = p.biasHh === null ? null : ctx.nameOf(p.biasHh, 'bias_hh');
  if (q === null) return { hidden, weightIh: ctx.nameOf(p.weightIh, 'weight_ih'), weightHh: ctx.nameOf(p.weightHh, 'weight_hh'), biasIh, biasHh };
  const fused = tf.tidy(() => tf.concat([p.weightIh, p.weightHh], 1));
  const name = ctx.graph.floatConst(`${ctx.scope}.weight_ih_hh${suffix}`, fused.shape, fused.dataSync());
  const shape = fused.shape;
  fused.dispose();
  return {
    hidden,
    weightCat: emitQuantizer(ctx, q.weight, name, shape, q.weightField),
    biasIh,
    biasHh,
    quantizeInput: (xh, xhShape) => emitQuantizer(ctx, q.input, xh, xhShape, q.inputField),
  };
}

function cellConverter(ctx: ConvertContext, m: LSTMCell, args: unknown[], output: unknown, q: CellQuantizers | null): void {
  const [x, hx] = args as [tf.Tensor, [tf.Tensor, tf.Tensor] | null | undefined];
  if (!isTensor(x) || x.rank !== 2) ctx.refuse(`needs a batched input [N, ${m.inputSize}] for ONNX export`);
  const xName = ctx.nameOf(x, 'input');
  const batch = x.shape[0]!;
  const [h, c] = hx ? [ctx.nameOf(hx[0], 'h'), ctx.nameOf(hx[1], 'c')] : [emitZeroState(ctx, xName, m.hiddenSize), emitZeroState(ctx, xName, m.hiddenSize)];
  const params = { weightIh: m.weight_ih, weightHh: m.weight_hh, biasIh: m.bias_ih, biasHh: m.bias_hh };
  const [h1, c1] = emitLstmCell(ctx, xName, m.inputSize, h, c, cellWeights(ctx, params, q, ''), batch);
  const [hOut, cOut] = output as [tf.Tensor, tf.Tensor];
  ctx.bind(hOut, h1);
  ctx.bind(cOut, c1);
}

registerModuleConverter(LSTMCell, (ctx, m, args, output) => cellConverter(ctx, m, args, output, null));
registerModuleConverter(QuantLSTMCell, (ctx, m, args, output) =>
  cellConverter(ctx, m, args, output, { input: m._input_quantizer, weight: m._weight_quantizer, inputField: '_input_quantizer', weightField: '_weight_quantizer' }),
);

function lstmConverter(ctx: ConvertContext, m: LSTM, args: unknown[], output: unknown, quantizers: ((k: number) => CellQuantizers) | null): void {
  const g = ctx.graph;
  const [input, hx] = args as [tf.Tensor, [tf.Tensor, tf.Tensor] | null | undefined];
  if (!isTensor(input) || input.rank !== 3) ctx.refuse('needs a batched input (rank 3) for ONNX export');
  const timeAxis = m.batchFirst ? 1 : 0;
  const steps = input.shape[timeAxis]!;
  const batch = input.shape[1 - timeAxis]!;
  const H = m.hiddenSize;
  const dirs = m.directions;
  const index = (i: number): string => g.int64Const(ctx.local('index'), [i], []);
  const gather = (value: string, i: number, axis: number): string =>
    g.op('Gather', [value, index(i)], ctx.local('slice'), { axis: attr.int(axis) });
  const unsqueeze = (value: string, axis: number): string =>
    g.op('Unsqueeze', [value, g.int64Const(ctx.local('axes'), [axis])], ctx.local('unsqueezed'));

  let seq = ctx.nameOf(input, 'input');
  const h0 = hx ? ctx.nameOf(hx[0], 'h0') : null;
  const c0 = hx ? ctx.nameOf(hx[1], 'c0') : null;
  const hN: string[] = [];
  const cN: string[] = [];
  for (let layer = 0; layer < m.numLayers; layer++) {
    const xs = Array.from({ length: steps }, (_, t) => gather(seq, t, timeAxis));
    const inSize = layer === 0 ? m.inputSize : H * dirs;
    const outputs: string[] = [];
    for (let dir = 0; dir < dirs; dir++) {
      const reverse = dir === 1;
      const k = layer * dirs + dir;
      const w = cellWeights(ctx, m.cellParameters(layer, reverse), quantizers ? quantizers(k) : null, m.suffix(layer, reverse));
      let h = h0 === null ? emitZeroState(ctx, xs[0]!, H) : gather(h0, k, 0);
      let c = c0 === null ? emitZeroState(ctx, xs[0]!, H) : gather(c0, k, 0);
      const ys: string[] = new Array<string>(steps);
      for (let i = 0; i < steps; i++) {
        const t = reverse ? steps - 1 - i : i;
        [h, c] = emitLstmCell(ctx, xs[t]!, inSize, h, c, w, batch);
        ys[t] = unsqueeze(h, timeAxis);
      }
      outputs.push(steps === 1 ? ys[0]! : g.op('Concat', ys, ctx.local('sequence'), { axis: attr.int(timeAxis) }));
      hN.push(unsqueeze(h, 0));
      cN.push(unsqueeze(c, 0));
    }
    seq = outputs.length === 1 ? outputs[0]! : g.op('Concat', outputs, ctx.local('bidirectional'), { axis: attr.int(2) });
  }
  const stack = (vs: string[], base: string): string => (vs.length === 1 ? vs[0]! : g.op('Concat', vs, ctx.local(base), { axis: attr.int(0) }));
  const [out, [hOut, cOut]] = output as [tf.Tensor, [tf.Tensor, tf.Tensor]];
  ctx.bind(out, seq);
  ctx.bind(hOut, stack(hN, 'h_n'));
  ctx.bind(cOut, stack(cN, 'c_n'));
}

registerModuleConverter(LSTM, (ctx, m, args, output) => lstmConverter(ctx, m, args, output, null));
registerModuleConverter(QuantLSTM, (ctx, m, args, output) =>
  lstmConverter(ctx, m, args, output, (k) => ({
    input: m._input_quantizers[k]!,
    weight: m._weight_quantizers[k]!,
    inputField: `_input_quantizers.${k}`,
    weightField: `_weight_quantizers.${k}`,
  })),
);
