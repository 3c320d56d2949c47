// Activations: relu -> Relu, sigmoid -> Sigmoid, tanh -> Tanh, hardtanh / relu6 -> Clip,
// hardsigmoid -> HardSigmoid, hardswish -> HardSwish (opset 14+; x * HardSigmoid before),
// silu -> Sigmoid * Mul, leakyRelu -> LeakyRelu, gelu -> Gelu (opset 20+; its Erf or Tanh
// formula before), softmax / logSoftmax -> Softmax / LogSoftmax (opset 13 semantics: one
// axis), dropout -> nothing (export is eval).
import { attr } from './proto.js';
import { isTensor, type ConvertContext } from './context.js';
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

registerFunctionalConverter('dropout', (ctx, [x], attrs, out) => {
  if (attrs.training === true && typeof attrs.p === 'number' && attrs.p > 0) {
    ctx.refuse('F.dropout with training: true is random and does not export; pass the module\'s training flag');
  }
  ctx.bind(out, ctx.nameOf(x, 'input'));
});

registerFunctionalConverter('hardtanh', (ctx, [x], attrs, out) => {
  const g = ctx.graph;
  const lo = g.floatConst(ctx.local('min'), [], [attrs.minVal as number]);
  const hi = g.floatConst(ctx.local('max'), [], [attrs.maxVal as number]);
  ctx.bind(out, g.op('Clip', [ctx.nameOf(x, 'input'), lo, hi], ctx.local('clip')));
});

/** relu6(x + 3) / 6 is ONNX's HardSigmoid with alpha 1/6, beta 1/2. */
function hardSigmoid(ctx: ConvertContext, x: string): string {
  return ctx.graph.op('HardSigmoid', [x], ctx.local('hardsigmoid'), { alpha: attr.float(1 / 6), beta: attr.float(0.5) });
}

registerFunctionalConverter('hardsigmoid', (ctx, [x], _attrs, out) => {
  ctx.bind(out, hardSigmoid(ctx, ctx.nameOf(x, 'input')));
});

registerFunctionalConverter('hardswish', (ctx, [x], _attrs, out) => {
  const name = ctx.nameOf(x, 'input');
  const g = ctx.graph;
  ctx.bind(out, ctx.opset >= 14 ? g.op('HardSwish', [name], ctx.local('hardswish')) : g.op('Mul', [name, hardSigmoid(ctx, name)], ctx.local('hardswish')));
});

registerFunctionalConverter('silu', (ctx, [x], _attrs, out) => {
  const name = ctx.nameOf(x, 'input');
  const g = ctx.graph;
  ctx.bind(out, g.op('Mul', [name, g.op('Sigmoid', [name], ctx.local('sigmoid'))], ctx.local('silu')));
});

registerFunctionalConverter('leakyRelu', (ctx, [x], attrs, out) => {
  ctx.bind(out, ctx.graph.op('LeakyRelu', [ctx.nameOf(x, 'input')], ctx.local('leaky_relu'), { alpha: attr.float(attrs.negativeSlope as number) }));
});

registerFunctionalConverter('gelu', (ctx, [x], attrs, out) => {
  const name = ctx.nameOf(x, 'input');
  const g = ctx.graph;
  const approximate = attrs.approximate as string;
  if (ctx.opset >= 20) {
    ctx.bind(out, g.op('Gelu', [name], ctx.local('gelu'), { approximate: attr.string(approximate) }));
    return;
  }
  const c = (v: number): string => g.floatConst(ctx.local('c'), [], [v]);
  let inner: string;
  if (approximate === 'none') {
    inner = g.op('Erf', [g.op('Mul', [name, c(Math.SQRT1_2)], ctx.local('scaled'))], ctx.local('erf'));
  } else {
    const cube = g.op('Mul', [g.op('Mul', [name, name], ctx.local('square')), name], ctx.local('cube'));
    const poly = g.op('Add', [name, g.op('Mul', [cube, c(0.044715)], ctx.local('cubic_term'))], ctx.local('poly'));
    inner = g.op('Tanh', [g.op('Mul', [poly, c(Math.sqrt(2 / Math.PI))], ctx.local('scaled'))], ctx.local('tanh'));
  }
  const half = g.op('Mul', [name, c(0.5)], ctx.local('half_x'));
  ctx.bind(out, g.op('Mul', [half, g.op('Add', [inner, c(1)], ctx.local('one_plus'))], ctx.local('gelu')));
});
