// F.pad -> Pad (constant / reflect / replicate as ONNX's 'edge'), or, for 'circular' (which
// ONNX Pad cannot do before opset 19's 'wrap'), Slice + Concat per padded axis. Convolutions
// with a paddingMode other than 'zeros' trace as pad + conv, so they export through here.
import { attr } from './proto.js';
import { isTensor, type ConvertContext } from './context.js';
import { registerFunctionalConverter } from './registry.js';

const ONNX_PAD_MODE: Record<string, string> = { constant: 'constant', reflect: 'reflect', replicate: 'edge' };
/** Slice's "to the end": any end past the dim is clamped to it (INT64_MAX itself is no double). */
const TO_END = Number.MAX_SAFE_INTEGER;

/** PyTorch's pad list (before, after pairs from the last dim) as ONNX pads [begins..., ends...]. */
export function onnxPads(torchPad: readonly number[], rank: number): number[] {
  const begins = Array<number>(rank).fill(0);
  const ends = Array<number>(rank).fill(0);
  for (let i = 0; i < torchPad.length / 2; i++) {
    begins[rank - 1 - i] = torchPad[2 * i]!;
    ends[rank - 1 - i] = torchPad[2 * i + 1]!;
  }
  return [...begins, ...ends];
}

/** x[start:end] along `axis` (negative starts count from the end, so any batch size works). */
function emitSlice(ctx: ConvertContext, x: string, axis: number, start: number, end: number): string {
  const g = ctx.graph;
  const inputs = [x, g.int64Const(ctx.local('starts'), [start]), g.int64Const(ctx.local('ends'), [end]), g.int64Const(ctx.local('axes'), [axis])];
  return g.op('Slice', inputs, ctx.local('slice'));
}

/** Circular padding: per axis, concat(last `before` entries, x, first `after` entries). */
function emitCircularPad(ctx: ConvertContext, x: string, torchPad: readonly number[], rank: number): string {
  let y = x;
  for (let i = 0; i < torchPad.length / 2; i++) {
    const axis = rank - 1 - i;
    const before = torchPad[2 * i]!;
    const after = torchPad[2 * i + 1]!;
    if (before === 0 && after === 0) continue;
    const parts = [
      ...(before > 0 ? [emitSlice(ctx, y, axis, -before, TO_END)] : []),
      y,
      ...(after > 0 ? [emitSlice(ctx, y, axis, 0, after)] : []),
    ];
    y = ctx.graph.op('Concat', parts, ctx.local('circular_pad'), { axis: attr.int(axis) });
  }
  return y === x ? ctx.graph.op('Identity', [x], ctx.local('pad')) : y;
}

registerFunctionalConverter('pad', (ctx, [x], attrs, out) => {
  if (!isTensor(x)) return ctx.refuse(`pad needs a tensor input, got ${String(x)}`);
  const torchPad = attrs.pad as number[];
  const mode = (attrs.mode as string | undefined) ?? 'constant';
  const value = (attrs.value as number | undefined) ?? 0;
  const input = ctx.nameOf(x, 'input');
  if (mode === 'circular') {
    ctx.bind(out, emitCircularPad(ctx, input, torchPad, x.rank));
    return;
  }
  const onnxMode = ONNX_PAD_MODE[mode];
  if (onnxMode === undefined) return ctx.refuse(`pad mode '${mode}' has no ONNX equivalent`);
  const g = ctx.graph;
  const inputs = [input, g.int64Const(ctx.local('pads'), onnxPads(torchPad, x.rank))];
  if (mode === 'constant' && value !== 0) inputs.push(g.floatConst(ctx.local('pad_value'), [], [value]));
  ctx.bind(out, g.op('Pad', inputs, ctx.local('pad'), { mode: attr.string(onnxMode) }));
});
