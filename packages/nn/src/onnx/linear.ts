// Linear -> Gemm (transB = 1, PyTorch's [out, in] weight as is) for 2-D inputs; MatMul with the
// transposed weight plus Add for inputs of higher rank.
import { attr } from './proto.js';
import { isTensor, type ConvertContext } from './context.js';
import { registerFunctionalConverter } from './registry.js';

export function emitLinear(ctx: ConvertContext, x: string, xRank: number, w: string, bias: string | null): string {
  const g = ctx.graph;
  if (xRank === 2) {
    const inputs = bias === null ? [x, w] : [x, w, bias];
    return g.op('Gemm', inputs, ctx.local('gemm'), { transB: attr.int(1) }, { name: ctx.local('Gemm') });
  }
  const wt = g.op('Transpose', [w], ctx.local('weight_t'), { perm: attr.ints([1, 0]) });
  const y = g.op('MatMul', [x, wt], ctx.local('matmul'), {}, { name: ctx.local('MatMul') });
  return bias === null ? y : g.op('Add', [y, bias], ctx.local('linear'), {}, { name: ctx.local('Add') });
}

registerFunctionalConverter('linear', (ctx, [x, weight, bias], _attrs, out) => {
  const b = bias === null || bias === undefined ? null : ctx.nameOf(bias, 'bias');
  const rank = isTensor(x) ? x.rank : 0;
  ctx.bind(out, emitLinear(ctx, ctx.nameOf(x, 'input'), rank, ctx.nameOf(weight, 'weight'), b));
});
