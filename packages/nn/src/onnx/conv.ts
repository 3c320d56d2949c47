// Conv1d/2d/3d -> Conv and ConvTranspose1d/2d/3d -> ConvTranspose. PyTorch's weight layouts
// are ONNX's ([out, in/groups, k...] and [in, out/groups, k...]), so weights export as they are.
import type * as tf from '@tensorflow/tfjs-core';
import { attr } from './proto.js';
import { isTensor, type ConvertContext } from './context.js';
import { convPads, nTuple, symmetricPads } from './geometry.js';
import { registerFunctionalConverter, type FunctionalConverter } from './registry.js';
import { formatShape } from '@pq/core';

export interface ConvGeometry {
  stride: unknown;
  padding: unknown;
  dilation: unknown;
  groups: number;
  /** ConvTranspose only. */
  outputPadding?: unknown;
}

/** Emits Conv (or ConvTranspose) of value `x` with weight value `w` (shape `wShape`) and optional bias. */
export function emitConv(
  ctx: ConvertContext,
  kind: 'Conv' | 'ConvTranspose',
  x: string,
  w: string,
  wShape: readonly number[],
  bias: string | null,
  geo: ConvGeometry,
): string {
  const kernel = wShape.slice(2);
  const n = kernel.length;
  const dilation = nTuple(geo.dilation ?? 1, n, 'dilation');
  const attrs = {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(nTuple(geo.stride ?? 1, n, 'stride')),
    dilations: attr.ints(dilation),
    group: attr.int(geo.groups ?? 1),
    pads: attr.ints(kind === 'Conv' ? convPads(geo.padding ?? 0, kernel, dilation) : symmetricPads(nTuple(geo.padding ?? 0, n, 'padding'))),
    ...(kind === 'ConvTranspose' ? { output_padding: attr.ints(nTuple(geo.outputPadding ?? 0, n, 'outputPadding')) } : {}),
  };
  const inputs = bias === null ? [x, w] : [x, w, bias];
  return ctx.graph.op(kind, inputs, ctx.local(kind === 'Conv' ? 'conv' : 'conv_transpose'), attrs, { name: ctx.local(kind) });
}

function convConverter(kind: 'Conv' | 'ConvTranspose', n: number): FunctionalConverter {
  return (ctx, [x, weight, bias], attrs, out) => {
    if (!isTensor(x) || x.rank !== n + 2) {
      ctx.refuse(`ONNX ${kind} needs a batched input [N, C, ...] of rank ${n + 2}, got ${isTensor(x) ? `shape ${formatShape(x.shape)}` : String(x)}`);
    }
    const w = weight as tf.Tensor;
    const b = bias === null || bias === undefined ? null : ctx.nameOf(bias, 'bias');
    const geo: ConvGeometry = {
      stride: attrs.stride,
      padding: attrs.padding,
      dilation: attrs.dilation,
      groups: (attrs.groups as number | undefined) ?? 1,
      outputPadding: attrs.outputPadding,
    };
    ctx.bind(out, emitConv(ctx, kind, ctx.nameOf(x, 'input'), ctx.nameOf(w, 'weight'), w.shape, b, geo));
  };
}

for (const n of [1, 2, 3]) {
  registerFunctionalConverter(`conv${n}d`, convConverter('Conv', n));
  registerFunctionalConverter(`convTranspose${n}d`, convConverter('ConvTranspose', n));
}
