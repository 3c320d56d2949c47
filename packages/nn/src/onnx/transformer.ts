// The ops of Transformer models: matmul / bmm -> MatMul; mean -> ReduceMean; layerNorm ->
// LayerNormalization (opset 17+) or its decomposition; embedding -> Gather; mseLoss -> Sub,
// Mul and ReduceMean / ReduceSum. Reductions take their axes as an attribute before opset 18
// and as an input from 18 on.
import { attr } from './proto.js';
import { isTensor, type ConvertContext } from './context.js';
import { registerFunctionalConverter } from './registry.js';

registerFunctionalConverter('matmul', (ctx, [a, b], _attrs, out) => {
  ctx.bind(out, ctx.graph.op('MatMul', [ctx.nameOf(a, 'input 0'), ctx.nameOf(b, 'input 1')], ctx.local('matmul'), {}, { name: ctx.local('MatMul') }));
});

/** `op` (ReduceMean / ReduceSum) over `axes` (all axes when null). */
export function emitReduce(ctx: ConvertContext, op: 'ReduceMean' | 'ReduceSum', x: string, axes: readonly number[] | null, keepDims: boolean): string {
  const g = ctx.graph;
  const keep = { keepdims: attr.int(keepDims ? 1 : 0) };
  if (axes === null) return g.op(op, [x], ctx.local(op), keep);
  // ReduceSum takes axes as an input from opset 13, ReduceMean from 18.
  if (op === 'ReduceSum' || ctx.opset >= 18) return g.op(op, [x, g.int64Const(ctx.local('axes'), axes)], ctx.local(op), keep);
  return g.op(op, [x], ctx.local(op), { ...keep, axes: attr.ints(axes) });
}

registerFunctionalConverter('mean', (ctx, [x], attrs, out) => {
  ctx.bind(out, emitReduce(ctx, 'ReduceMean', ctx.nameOf(x, 'input'), attrs.axes as number[], attrs.keepDim as boolean));
});

registerFunctionalConverter('layerNorm', (ctx, [x, weight, bias], attrs, out) => {
  if (!isTensor(x)) return ctx.refuse('layerNorm needs a tensor input');
  const g = ctx.graph;
  const axes = attrs.axes as number[];
  const eps = attrs.eps as number;
  const name = ctx.nameOf(x, 'input');
  const w = weight === null || weight === undefined ? null : ctx.nameOf(weight, 'weight');
  const b = bias === null || bias === undefined ? null : ctx.nameOf(bias, 'bias');
  if (ctx.opset >= 17) {
    const normShape = axes.map((a) => x.shape[a]!);
    const count = normShape.reduce((p, d) => p * d, 1);
    const scale = w ?? g.floatConst(ctx.local('scale'), normShape, new Float32Array(count).fill(1));
    const inputs = b === null ? [name, scale] : [name, scale, b];
    ctx.bind(out, g.op('LayerNormalization', inputs, ctx.local('layer_norm'), { axis: attr.int(axes[0]!), epsilon: attr.float(eps) }, { name: ctx.local('LayerNormalization') }));
    return;
  }
  const mean = emitReduce(ctx, 'ReduceMean', name, axes, true);
  const d = g.op('Sub', [name, mean], ctx.local('centered'));
  const variance = emitReduce(ctx, 'ReduceMean', g.op('Mul', [d, d], ctx.local('squared')), axes, true);
  const std = g.op('Sqrt', [g.op('Add', [variance, g.floatConst(ctx.local('eps'), [], [eps])], ctx.local('var_eps'))], ctx.local('std'));
  let y = g.op('Div', [d, std], ctx.local('normalized'));
  if (w !== null) y = g.op('Mul', [y, w], ctx.local('scaled'));
  if (b !== null) y = g.op('Add', [y, b], ctx.local('shifted'));
  ctx.bind(out, y);
});

registerFunctionalConverter('embedding', (ctx, [indices, weight], _attrs, out) => {
  const g = ctx.graph;
  let idx = ctx.nameOf(indices, 'indices');
  // Gather takes int32 or int64 indices; integer-valued float indices are cast.
  if (isTensor(indices) && indices.dtype !== 'int32') idx = g.op('Cast', [idx], ctx.local('indices'), { to: attr.int(7) });
  ctx.bind(out, g.op('Gather', [ctx.nameOf(weight, 'weight'), idx], ctx.local('embedding'), { axis: attr.int(0) }, { name: ctx.local('Gather') }));
});

registerFunctionalConverter('mseLoss', (ctx, [input, target], attrs, out) => {
  const g = ctx.graph;
  const d = g.op('Sub', [ctx.nameOf(input, 'input'), ctx.nameOf(target, 'target')], ctx.local('diff'));
  const sq = g.op('Mul', [d, d], ctx.local('squared'));
  const reduction = attrs.reduction as string;
  ctx.bind(out, reduction === 'none' ? sq : emitReduce(ctx, reduction === 'sum' ? 'ReduceSum' : 'ReduceMean', sq, null, false));
});
