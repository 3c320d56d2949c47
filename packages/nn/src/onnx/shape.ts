// Shape and elementwise ops: flatten / view / reshape -> Flatten or Reshape; expand -> Expand;
// select -> Gather; add / sub / mul / div -> Add / Sub / Mul / Div; cat / concat -> Concat.
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

registerFunctionalConverter(['view', 'reshape'], (ctx, [x], attrs, out) => {
  const requested = attrs.requested as number[] | undefined;
  if (requested !== undefined && requested.includes(-1)) {
    const g = ctx.graph;
    ctx.bind(out, g.op('Reshape', [ctx.nameOf(x, 'input'), g.int64Const(ctx.local('shape'), requested)], ctx.local('reshaped')));
    return;
  }
  ctx.bind(out, emitReshape(ctx, ctx.nameOf(x, 'input'), shapeOf(x), shapeOf(out)));
});

// permute / transpose -> Transpose; chunk -> Split (sizes as an input, opset 13 and later).
registerFunctionalConverter('permute', (ctx, [x], attrs, out) => {
  ctx.bind(out, ctx.graph.op('Transpose', [ctx.nameOf(x, 'input')], ctx.local('transposed'), { perm: attr.ints(attrs.perm as number[]) }));
});

registerFunctionalConverter('split', (ctx, [x], attrs, out) => {
  const parts = out as unknown[];
  const name = ctx.nameOf(x, 'input');
  if (parts.length === 1) {
    ctx.bind(parts[0], name);
    return;
  }
  const g = ctx.graph;
  const sizes = attrs.sizes as number[];
  const outs = g.node('Split', [name, g.int64Const(ctx.local('split'), sizes)], sizes.map((_, i) => ctx.local(`chunk${i}`)), { axis: attr.int(attrs.dim as number) });
  parts.forEach((t, i) => ctx.bind(t, outs[i]!));
});

// Expand broadcasts both ways, so 1 keeps a dim; dim 0 grown from 1 to the sample batch
// follows the batch at run time (a class token expanded to the batch).
registerFunctionalConverter('expand', (ctx, [x], attrs, out) => {
  const g = ctx.graph;
  const inShape = shapeOf(x);
  const shape = attrs.shape as number[];
  const lead = shape.length - inShape.length;
  const dims = shape.map((s, i) => (i >= lead && inShape[i - lead] === s ? 1 : s));
  const fromBatch = ctx.sampleBatch !== null && shape.length > 0 && shape[0] === ctx.sampleBatch && (lead > 0 || inShape[0] === 1);
  const target = fromBatch
    ? g.op('Concat', [ctx.runtimeBatch(), g.int64Const(ctx.local('expand_dims'), dims.slice(1))], ctx.local('expand_shape'), { axis: attr.int(0) })
    : g.int64Const(ctx.local('expand_shape'), dims);
  ctx.bind(out, g.op('Expand', [ctx.nameOf(x, 'input'), target], ctx.local('expanded')));
});

registerFunctionalConverter('select', (ctx, [x], attrs, out) => {
  const g = ctx.graph;
  const index = g.int64Const(ctx.local('index'), [attrs.index as number], []);
  ctx.bind(out, g.op('Gather', [ctx.nameOf(x, 'input'), index], ctx.local('selected'), { axis: attr.int(attrs.dim as number) }));
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
