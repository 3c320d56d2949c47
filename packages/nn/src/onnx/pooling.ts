// MaxPool1d-3d -> MaxPool, AvgPool1d-3d -> AveragePool, AdaptiveAvgPool1d-3d -> GlobalAveragePool
// (output 1) or AveragePool with kernel = stride = input / output (only when that divides).
import { attr } from './proto.js';
import { isTensor, type ConvertContext } from './context.js';
import { registerFunctionalConverter } from './registry.js';
import { nTuple, symmetricPads } from './geometry.js';
import { formatShape, shapeSize } from '@pq/core';

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

export function emitAvgPool(ctx: ConvertContext, x: string, n: number, geo: PoolGeometry, shapes?: { input: readonly number[]; output: readonly number[] }): string {
  if (geo.divisorOverride !== undefined && geo.divisorOverride !== null) {
    ctx.refuse(`divisorOverride (${geo.divisorOverride}) has no ONNX AveragePool equivalent`);
  }
  const kernel = nTuple(geo.kernelSize, n, 'kernelSize');
  const stride = nTuple(geo.stride ?? kernel, n, 'stride');
  const padding = nTuple(geo.padding ?? 0, n, 'padding');
  const includePad = geo.countIncludePad ?? true;
  if (geo.ceilMode && shapes !== undefined) return emitCeilAvgPool(ctx, x, kernel, stride, padding, includePad, shapes.input, shapes.output);
  if (geo.ceilMode) ctx.refuse('ceilMode average pooling needs the input and output shapes');
  const attrs = {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(stride),
    pads: attr.ints(symmetricPads(padding)),
    ceil_mode: attr.int(0),
    count_include_pad: attr.int(includePad ? 1 : 0),
  };
  return ctx.graph.op('AveragePool', [x], ctx.local('avg_pool'), attrs, { name: ctx.local('AveragePool') });
}

/**
 * ceilMode average pooling. PyTorch divides the windows that hang over the end by what they
 * cover (padding counted only with countIncludePad); runtimes disagree on that overhang. So:
 * pad explicitly until every window is whole, average over full kernels (floor mode), and
 * multiply each output by kernelArea / PyTorch's divisor (a constant).
 */
function emitCeilAvgPool(
  ctx: ConvertContext,
  x: string,
  kernel: number[],
  stride: number[],
  padding: number[],
  includePad: boolean,
  inShape: readonly number[],
  outShape: readonly number[],
): string {
  const g = ctx.graph;
  const spatial = inShape.slice(2);
  const out = outShape.slice(2);
  const padAfter = spatial.map((l, i) => Math.max((out[i]! - 1) * stride[i]! + kernel[i]! - l - padding[i]!, 0));
  const pads = [0, 0, ...padding, 0, 0, ...padAfter];
  const padded = g.op('Pad', [x, g.int64Const(ctx.local('pads'), pads)], ctx.local('padded'), { mode: attr.string('constant') });
  const pooled = g.op('AveragePool', [padded], ctx.local('avg_pool'), {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(stride),
    pads: attr.ints(Array<number>(2 * kernel.length).fill(0)),
  }, { name: ctx.local('AveragePool') });
  const perAxis = spatial.map((l, i) => {
    const counts: number[] = [];
    for (let o = 0; o < out[i]!; o++) {
      let start = o * stride[i]! - padding[i]!;
      let end = Math.min(start + kernel[i]!, l + padding[i]!);
      if (!includePad) {
        start = Math.max(start, 0);
        end = Math.min(end, l);
      }
      counts.push(end - start);
    }
    return counts;
  });
  const area = shapeSize(kernel);
  const size = shapeSize(out);
  const factor = new Float32Array(size);
  for (let flat = 0; flat < size; flat++) {
    let rem = flat;
    let divisor = 1;
    for (let i = out.length - 1; i >= 0; i--) {
      divisor *= perAxis[i]![rem % out[i]!]!;
      rem = Math.floor(rem / out[i]!);
    }
    factor[flat] = area / divisor;
  }
  if (factor.every((f) => f === 1)) return pooled;
  return g.op('Mul', [pooled, g.floatConst(ctx.local('divisor_fix'), [1, 1, ...out], factor)], ctx.local('avg_pool'));
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

/**
 * PyTorch drops a ceil-mode window that would start in the right padding; ONNX's ceil_mode
 * output size is the plain ceiling. Refuse the (rare) geometries where they differ.
 */
function checkCeilOutput(ctx: ConvertContext, geo: PoolGeometry, n: number, inShape: readonly number[], outShape: readonly number[]): void {
  const kernel = nTuple(geo.kernelSize, n, 'kernelSize');
  const stride = nTuple(geo.stride ?? kernel, n, 'stride');
  const padding = nTuple(geo.padding ?? 0, n, 'padding');
  const dilation = nTuple(geo.dilation ?? 1, n, 'dilation');
  const span = kernel.map((k, i) => dilation[i]! * (k - 1) + 1);
  const onnx = inShape.slice(2).map((l, i) => Math.ceil((l + 2 * padding[i]! - span[i]!) / stride[i]!) + 1);
  if (onnx.some((o, i) => o !== outShape[i + 2])) {
    ctx.refuse(
      `ceilMode pooling to ${outShape.slice(2).join('x')} drops a window that starts in the padding; ` +
        `ONNX MaxPool would give ${onnx.join('x')}`,
    );
  }
}

function batchedInput(ctx: ConvertContext, x: unknown, n: number): string {
  if (!isTensor(x) || x.rank !== n + 2) {
    ctx.refuse(`ONNX pooling needs a batched input [N, C, ...] of rank ${n + 2}, got ${isTensor(x) ? `shape ${formatShape(x.shape)}` : String(x)}`);
  }
  return ctx.nameOf(x, 'input');
}

for (const n of [1, 2, 3]) {
  registerFunctionalConverter(`maxPool${n}d`, (ctx, [x], attrs, out) => {
    const geo = attrs as unknown as PoolGeometry;
    if (geo.ceilMode) checkCeilOutput(ctx, geo, n, (x as { shape: number[] }).shape, (out as { shape: number[] }).shape);
    ctx.bind(out, emitMaxPool(ctx, batchedInput(ctx, x, n), n, geo));
  });
  registerFunctionalConverter(`avgPool${n}d`, (ctx, [x], attrs, out) => {
    const shapes = { input: (x as { shape: number[] }).shape, output: (out as { shape: number[] }).shape };
    ctx.bind(out, emitAvgPool(ctx, batchedInput(ctx, x, n), n, attrs as unknown as PoolGeometry, shapes));
  });
  registerFunctionalConverter(`adaptiveAvgPool${n}d`, (ctx, [x], attrs, out) => {
    const name = batchedInput(ctx, x, n);
    ctx.bind(out, emitAdaptiveAvgPool(ctx, name, (x as { shape: number[] }).shape, attrs.outputSize as number[]));
  });
}
