// Activations: relu -> Relu, sigmoid -> Sigmoid, tanh -> Tanh, softmax / logSoftmax ->
// Softmax / LogSoftmax (opset 13 semantics: one axis), dropout -> nothing (export is eval).
import { attr } from './proto.js';
import { isTensor } from './context.js';
import { registerFunctionalConverter } from './registry.js';

for (const [op, onnxOp] of [['relu', 'Relu'], ['sigmoid', 'Sigmoid'], ['tanh', 'Tanh']] as const) {
  registerFunctionalConverter(op, (ctx, [x], _attrs, out) => {
    ctx.bind(out, ctx.graph.op(onnxOp, [ctx.nameOf(x, 'input')], ctx.local(op)));
  });
}

for (const [op, onnxOp] of [['softmax', 'Softmax'], ['logSoftmax', 'LogSoftmax']] as const) {
  registerFunctionalConverter(op, (ctx, [x], attrs, out) => {
    const rank = isTensor(x) ? x.rank : 0;
    const dim = (attrs.dim as number | undefined) ?? (attrs.axis as number | undefined) ?? -1;
    ctx.bind(out, ctx.graph.op(onnxOp, [ctx.nameOf(x, 'input')], ctx.local(op), { axis: attr.int(dim < 0 ? dim + rank : dim) }));
  });
}

// GELU as x * (1 + erf(x / sqrt(2))) / 2 (ONNX has Gelu only from opset 20).
registerFunctionalConverter('gelu', (ctx, [x], _attrs, out) => {
  const g = ctx.graph;
  const name = ctx.nameOf(x, 'input');
  const erf = g.op('Erf', [g.op('Mul', [name, g.floatConst(ctx.local('rsqrt2'), [], [Math.SQRT1_2])], ctx.local('scaled'))], ctx.local('erf'));
  const half = g.op('Mul', [name, g.floatConst(ctx.local('half'), [], [0.5])], ctx.local('half_x'));
  ctx.bind(out, g.op('Mul', [half, g.op('Add', [erf, g.floatConst(ctx.local('one'), [], [1])], ctx.local('erf_1'))], ctx.local('gelu')));
});

registerFunctionalConverter('dropout', (ctx, [x], attrs, out) => {
  if (attrs.training === true && typeof attrs.p === 'number' && attrs.p > 0) {
    ctx.refuse('F.dropout with training: true is random and does not export; pass the module\'s training flag');
  }
  ctx.bind(out, ctx.nameOf(x, 'input'));
});
