// InstanceNorm1d/2d/3d -> InstanceNormalization (statistics of each sample). With running
// statistics in eval mode (trackRunningStats), PyTorch normalises with the running mean and
// variance instead, which is ONNX BatchNormalization.
import { attr } from './proto.js';
import { isTensor, type ConvertContext } from './context.js';
import { registerFunctionalConverter } from './registry.js';

export function emitInstanceNorm(ctx: ConvertContext, x: string, channels: number, weight: string | null, bias: string | null, eps: number): string {
  const g = ctx.graph;
  const scale = weight ?? g.floatConst(ctx.local('scale'), [channels], new Float32Array(channels).fill(1));
  const b = bias ?? g.floatConst(ctx.local('bias'), [channels], new Float32Array(channels));
  return g.op('InstanceNormalization', [x, scale, b], ctx.local('instance_norm'), { epsilon: attr.float(eps) }, { name: ctx.local('InstanceNormalization') });
}

export function emitRunningNorm(
  ctx: ConvertContext,
  x: string,
  channels: number,
  weight: string | null,
  bias: string | null,
  mean: string,
  variance: string,
  eps: number,
): string {
  const g = ctx.graph;
  const scale = weight ?? g.floatConst(ctx.local('scale'), [channels], new Float32Array(channels).fill(1));
  const b = bias ?? g.floatConst(ctx.local('bias'), [channels], new Float32Array(channels));
  return g.op('BatchNormalization', [x, scale, b, mean, variance], ctx.local('norm'), { epsilon: attr.float(eps) }, { name: ctx.local('BatchNormalization') });
}

registerFunctionalConverter('instanceNorm', (ctx, [x, weight, bias], attrs, out) => {
  if (!isTensor(x)) return ctx.refuse('instanceNorm needs a tensor input');
  if (attrs.useInputStats === false) {
    ctx.refuse('F.instanceNorm with running statistics (useInputStats: false) does not pass them to the tracer; use the InstanceNorm module');
  }
  const w = weight === null || weight === undefined ? null : ctx.nameOf(weight, 'weight');
  const b = bias === null || bias === undefined ? null : ctx.nameOf(bias, 'bias');
  ctx.bind(out, emitInstanceNorm(ctx, ctx.nameOf(x, 'input'), x.shape[1]!, w, b, (attrs.eps as number | undefined) ?? 1e-5));
});
