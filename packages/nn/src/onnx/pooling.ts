// MaxPool1d-3d -> MaxPool, AvgPool1d-3d -> AveragePool, AdaptiveAvgPool1d-3d -> GlobalAveragePool
// (output 1) or AveragePool with kernel = stride = input / output (only when that divides).
import { attr } from './proto.js';
import { isTensor, type ConvertContext } from './context.js';
import { registerFunctionalConverter } from './registry.js';
import { nTuple, symmetricPads } from './geometry.js';

export interface PoolGeometry {
  kernelSize: unknown;
  stride?: unknown;
  padding?: unknown;
  dilation?: unknown;
  ceilMode?: boolean;
  /** AvgPool: count padded zeros in the average (PyTorch default true). */
  countIncludePad?: boolean;
  /** AvgPool divisorOverride: not expressible in ONNX. */
  divisorOverride?: number | null;
}

export function emitMaxPool(ctx: ConvertContext, x: string, n: number, geo: PoolGeometry): string {
  const kernel = nTuple(geo.kernelSize, n, 'kernelSize');
  const attrs = {
    kernel_shape: attr.ints(kernel),
    // PyTorch: stride defaults to the kernel size.
    strides: attr.ints(nTuple(geo.stride ?? kernel, n, 'stride')),
    pads: attr.ints(symmetricPads(nTuple(geo.padding ?? 0, n, 'padding'))),
    dilations: attr.ints(nTuple(geo.dilation ?? 1, n, 'dilation')),
    ceil_mode: attr.int(geo.ceilMode ? 1 : 0),
  };
  return ctx.graph.op('MaxPool', [x], ctx.local('max_pool'), attrs, { name: ctx.local('MaxPool') });
}

export function emitAvgPool(ctx: ConvertContext, x: string, n: number, geo: PoolGeometry): string {
  if (geo.divisorOverride !== undefined && geo.divisorOverride !== null) {
    ctx.refuse(`divisorOverride (${geo.divisorOverride}) has no ONNX AveragePool equivalent`);
  }
  const kernel = nTuple(geo.kernelSize, n, 'kernelSize');
  const attrs = {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(nTuple(geo.stride ?? kernel, n, 'stride')),
    pads: attr.ints(symmetricPads(nTuple(geo.padding ?? 0, n, 'padding'))),
    ceil_mode: attr.int(geo.ceilMode ? 1 : 0),
    count_include_pad: attr.int((geo.countIncludePad ?? true) ? 1 : 0),
  };
  return ctx.graph.op('AveragePool', [x], ctx.local('avg_pool'), attrs, { name: ctx.local('AveragePool') });
}

/** Adaptive average pooling from `inShape` (N, C, spatial...) to `outSize` (spatial). */
export function emitAdaptiveAvgPool(ctx: ConvertContext, x: string, inShape: readonly number[], outSize: readonly number[]): string {
  const spatial = inShape.slice(2);
  if (outSize.every((o) => o === 1)) return ctx.graph.op('GlobalAveragePool', [x], ctx.local('global_avg_pool'), {}, { name: ctx.local('GlobalAveragePool') });
  const bad = spatial.findIndex((s, i) => s % outSize[i]! !== 0);
  if (bad >= 0) {
    ctx.refuse(
      `adaptive pooling from size ${spatial.join('x')} to ${outSize.join('x')} uses uneven windows (${spatial[bad]} is not a multiple of ` +
        `${outSize[bad]}); ONNX AveragePool needs equal windows. Choose an output size that divides the input.`,
    );
  }
  const kernel = spatial.map((s, i) => s / outSize[i]!);
  return emitAvgPool(ctx, x, spatial.length, { kernelSize: kernel, stride: kernel, padding: 0, countIncludePad: false });
}

function batchedInput(ctx: ConvertContext, x: unknown, n: number): string {
  if (!isTensor(x) || x.rank !== n + 2) {
    ctx.refuse(`ONNX pooling needs a batched input [N, C, ...] of rank ${n + 2}, got ${isTensor(x) ? `shape [${x.shape.join(', ')}]` : String(x)}`);
  }
  return ctx.nameOf(x, 'input');
}

for (const n of [1, 2, 3]) {
  registerFunctionalConverter(`maxPool${n}d`, (ctx, [x], attrs, out) => {
    ctx.bind(out, emitMaxPool(ctx, batchedInput(ctx, x, n), n, attrs as unknown as PoolGeometry));
  });
  registerFunctionalConverter(`avgPool${n}d`, (ctx, [x], attrs, out) => {
    ctx.bind(out, emitAvgPool(ctx, batchedInput(ctx, x, n), n, attrs as unknown as PoolGeometry));
  });
  registerFunctionalConverter(`adaptiveAvgPool${n}d`, (ctx, [x], attrs, out) => {
    const name = batchedInput(ctx, x, n);
    ctx.bind(out, emitAdaptiveAvgPool(ctx, name, (x as { shape: number[] }).shape, attrs.outputSize as number[]));
  });
}
