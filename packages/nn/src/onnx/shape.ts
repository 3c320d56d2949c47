// Shape and elementwise ops: flatten / view / reshape -> Flatten or Reshape; add / sub / mul /
// div -> Add / Sub / Mul / Div; cat / concat -> Concat.
import { attr } from './proto.js';
import { isTensor, type ConvertContext } from './context.js';
import { registerFunctionalConverter } from './registry.js';

/**
 * The Reshape target for `inShape` -> `outShape`. With a symbolic batch, dimension 0 is
 * copied from the input (0) when it is the batch, else inferred (-1), so the graph works for
 * any batch size; the other dimensions are fixed.
 */
export function reshapeTarget(ctx: ConvertContext, inShape: readonly number[], outShape: readonly number[]): number[] {
  if (!ctx.dynamicBatch || outShape.length === 0) return [...outShape];
  return [outShape[0] === inShape[0] ? 0 : -1, ...outShape.slice(1)];
}

export function emitReshape(ctx: ConvertContext, x: string, inShape: readonly number[], outShape: readonly number[]): string {
  const g = ctx.graph;
  const shape = g.int64Const(ctx.local('shape'), reshapeTarget(ctx, inShape, outShape));
  return g.op('Reshape', [x, shape], ctx.local('reshaped'));
}

/**
 * torch.flatten(x, startDim, endDim): ONNX Flatten always makes a 2-D [before, after] result,
 * which is torch's flatten(x, 1) of everything; any other flatten is a Reshape.
 */
export function emitFlatten(ctx: ConvertContext, x: string, inShape: readonly number[], outShape: readonly number[], startDim: number, endDim: number): string {
  const rank = inShape.length;
  const start = startDim < 0 ? startDim + rank : startDim;
  const end = endDim < 0 ? endDim + rank : endDim;
  if (start === 1 && end === rank - 1) return ctx.graph.op('Flatten', [x], ctx.local('flat'), { axis: attr.int(1) });
  return emitReshape(ctx, x, inShape, outShape);
}

function shapeOf(t: unknown): number[] {
  return isTensor(t) ? [...t.shape] : [];
}

registerFunctionalConverter('flatten', (ctx, [x], attrs, out) => {
  const startDim = (attrs.startDim as number | undefined) ?? 0;
  const endDim = (attrs.endDim as number | undefined) ?? -1;
  ctx.bind(out, emitFlatten(ctx, ctx.nameOf(x, 'input'), shapeOf(x), shapeOf(out), startDim, endDim));
});

registerFunctionalConverter(['view', 'reshape'], (ctx, [x], _attrs, out) => {
  ctx.bind(out, emitReshape(ctx, ctx.nameOf(x, 'input'), shapeOf(x), shapeOf(out)));
});

/** An operand: a tensor's name, or a number as a float scalar constant. */
function operand(ctx: ConvertContext, v: unknown, what: string): string {
  if (typeof v === 'number') return ctx.graph.floatConst(ctx.local('scalar'), [], [v]);
  return ctx.nameOf(v, what);
}

for (const [op, onnxOp] of [['add', 'Add'], ['sub', 'Sub'], ['mul', 'Mul'], ['div', 'Div']] as const) {
  registerFunctionalConverter(op, (ctx, [a, b], _attrs, out) => {
    ctx.bind(out, ctx.graph.op(onnxOp, [operand(ctx, a, 'input 0'), operand(ctx, b, 'input 1')], ctx.local(op)));
  });
}

registerFunctionalConverter(['cat', 'concat'], (ctx, inputs, attrs, out) => {
  const tensors = (inputs.length === 1 && Array.isArray(inputs[0]) ? inputs[0] : inputs) as unknown[];
  const rank = shapeOf(out).length;
  const dim = (attrs.dim as number | undefined) ?? (attrs.axis as number | undefined) ?? 0;
  const names = tensors.map((t, i) => ctx.nameOf(t, `input ${i}`));
  ctx.bind(out, ctx.graph.op('Concat', names, ctx.local('concat'), { axis: attr.int(dim < 0 ? dim + rank : dim) }));
});
