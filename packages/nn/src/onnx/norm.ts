// InstanceNorm1d/2d/3d -> InstanceNormalization (statistics of each sample). With running
// statistics in eval mode (trackRunningStats), PyTorch normalises with the running mean and
// variance instead, which is ONNX BatchNormalization. F.batchNorm (BatchNorm1d/2d/3d) ->
// BatchNormalization with the running statistics; with the batch's own (no running
// statistics), ReduceMean over N and the spatial dims, as torch.onnx exports it.
import { attr } from './proto.js';
import { isTensor, type ConvertContext } from './context.js';
import { InstanceNormNd } from '../layers/instancenorm.js';
import { registerFunctionalConverter, registerModuleConverter } from './registry.js';

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

// The module reads its running statistics from its own fields, which F.instanceNorm's hook
// does not carry; in training mode or without running stats it is F.instanceNorm.
registerModuleConverter(InstanceNormNd, (ctx, m, [x], out) => {
  if (!isTensor(x) || x.rank !== m.spatialDims + 2) ctx.refuse(`needs a batched input [N, C, ...] of rank ${m.spatialDims + 2} for ONNX export`);
  const name = ctx.nameOf(x, 'input');
  const w = m.weight === null ? null : ctx.nameOf(m.weight, 'weight');
  const b = m.bias === null ? null : ctx.nameOf(m.bias, 'bias');
  if (!m.training && m.trackRunningStats && m.running_mean !== null && m.running_var !== null) {
    const mean = ctx.nameOf(m.running_mean, 'running_mean');
    const variance = ctx.nameOf(m.running_var, 'running_var');
    ctx.bind(out, emitRunningNorm(ctx, name, m.numFeatures, w, b, mean, variance, m.eps));
  } else {
    ctx.bind(out, emitInstanceNorm(ctx, name, m.numFeatures, w, b, m.eps));
  }
});

/** ReduceMean over `axes`, keeping them (axes an attribute before opset 18, an input from 18). */
function reduceMean(ctx: ConvertContext, x: string, axes: number[]): string {
  const g = ctx.graph;
  if (ctx.opset >= 18) return g.op('ReduceMean', [x, g.int64Const(ctx.local('axes'), axes)], ctx.local('mean'), { keepdims: attr.int(1) });
  return g.op('ReduceMean', [x], ctx.local('mean'), { axes: attr.ints(axes), keepdims: attr.int(1) });
}

registerFunctionalConverter('batchNorm', (ctx, [x, runningMean, runningVar, weight, bias], attrs, out) => {
  if (!isTensor(x)) return ctx.refuse('batchNorm needs a tensor input');
  const g = ctx.graph;
  const channels = x.shape[1]!;
  const eps = attrs.eps as number;
  const name = ctx.nameOf(x, 'input');
  const w = isTensor(weight) ? ctx.nameOf(weight, 'weight') : null;
  const b = isTensor(bias) ? ctx.nameOf(bias, 'bias') : null;
  if (attrs.training !== true && isTensor(runningMean) && isTensor(runningVar)) {
    ctx.bind(out, emitRunningNorm(ctx, name, channels, w, b, ctx.nameOf(runningMean, 'running_mean'), ctx.nameOf(runningVar, 'running_var'), eps));
    return;
  }
  // The batch's statistics (biased variance), then the per-channel affine.
  const axes = [0, ...x.shape.slice(2).map((_, i) => i + 2)];
  const centred = g.op('Sub', [name, reduceMean(ctx, name, axes)], ctx.local('centred'));
  const variance = reduceMean(ctx, g.op('Mul', [centred, centred], ctx.local('square')), axes);
  const std = g.op('Sqrt', [g.op('Add', [variance, g.floatConst(ctx.local('eps'), [], [eps])], ctx.local('var_eps'))], ctx.local('std'));
  let y = g.op('Div', [centred, std], ctx.local('normalized'));
  // weight and bias [C] as [C, 1, ...], which broadcasts against [N, C, ...].
  const perChannel = (v: string): string => g.op('Reshape', [v, g.int64Const(ctx.local('channel_shape'), [channels, ...x.shape.slice(2).map(() => 1)])], ctx.local('per_channel'));
  if (w !== null) y = g.op('Mul', [y, perChannel(w)], ctx.local('scaled'));
  if (b !== null) y = g.op('Add', [y, perChannel(b)], ctx.local('shifted'));
  ctx.bind(out, y);
});
