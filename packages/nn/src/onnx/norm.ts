// InstanceNorm1d/2d/3d -> InstanceNormalization (statistics of each sample). With running
// statistics in eval mode (trackRunningStats), PyTorch normalises with the running mean and
// variance instead, which is ONNX BatchNormalization.
import { attr } from './proto.js';
import type { ConvertContext } from './context.js';

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
