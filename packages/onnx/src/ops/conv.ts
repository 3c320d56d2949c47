// Conv -> Conv1d/2d/3d and ConvTranspose -> ConvTranspose1d/2d/3d when the weight (and bias)
// are initializers of this node alone; padding PyTorch cannot express (asymmetric, SAME) is
// resolved to explicit pads, applied by a Pad before the layer. Otherwise (a computed or
// shared weight) the convolution runs functionally on pq's F.convNd / F.convTransposeNd.
import type * as tf from '@tensorflow/tfjs-core';
import { Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, F, attr, type Module } from '@pq/nn';
import { ElemType, type Dim } from '../types.js';
import { resolvePads, readWindow, symmetric, windowOutput } from './geometry.js';
import { loadConst } from './params.js';
import { padOnnx } from './pad.js';
import type { Emitter, LayerPlan, OpContext, OpDef, PreparedOp } from './op.js';

const CONV = [Conv1d, Conv2d, Conv3d] as const;
const CONV_T = [ConvTranspose1d, ConvTranspose2d, ConvTranspose3d] as const;

/** What Conv and ConvTranspose read alike: float inputs, the weight's shape and spatial rank, the window, the groups. */
function convSetup(c: OpContext): { w: number[]; n: number; win: ReturnType<typeof readWindow>; group: number } {
  floatInputs(c);
  const w = weightShape(c);
  const n = w.length - 2;
  return { w, n, win: readWindow(c, n, w.slice(2)), group: c.attrs.int('group', 1) };
}

/** The weight's shape (from the constant or the static type) and its spatial rank, checked. */
function weightShape(c: OpContext): number[] {
  const w = c.constant(1)?.dims ?? c.shape(1);
  if (w === null || w.some((d) => typeof d !== 'number')) c.refuse('the weight shape must be known');
  if (w.length < 3 || w.length > 5) c.refuse(`weight of rank ${w.length}: pq supports 1-d, 2-d and 3-d convolutions`);
  return w as number[];
}

function floatInputs(c: OpContext): void {
  for (let i = 0; i < c.inputCount; i++) if (c.has(i) && c.type(i).elemType !== ElemType.FLOAT) c.refuse(`input ${i} must be FLOAT`);
}

function layerPlan(c: OpContext, create: () => Module, prePad?: number[]): LayerPlan | undefined {
  if (!c.ownsInitializer(1) || (c.has(2) && !c.ownsInitializer(2))) return undefined;
  const params: Record<string, number> = { weight: 1 };
  if (c.has(2)) params.bias = 2;
  return { create, dataInput: 0, params, ...(prePad ? { prePad: { pads: prePad, value: 0 } } : {}) };
}

const conv: OpDef = (c: OpContext): PreparedOp => {
  const { w, n, win, group } = convSetup(c);
  const x = c.shape(0);
  const spatial = x === null ? null : x.slice(2);
  if (x !== null && x.length !== n + 2) c.refuse(`input of rank ${x.length} for a ${n}-d convolution (rank ${n + 2} expected)`);
  const inC = x?.[1];
  if (typeof inC === 'number' && inC !== w[1]! * group) c.refuse(`input has ${inC} channels, weight [${w.join(', ')}] with group ${group} expects ${w[1]! * group}`);
  const pads = resolvePads(win, spatial);
  const outShape: Dim[] | null = x === null ? null : [x[0]!, w[0]!, ...spatial!.map((s, i) => (pads === null ? null : windowOutput(s, win.kernel[i]!, win.strides[i]!, win.dilations[i]!, pads[i]!, pads[i + n]!)))];

  const padsAt = (xs: readonly number[]): number[] => pads ?? resolvePads(win, xs)!;
  const run = ([xt, wt, bt]: ReadonlyArray<tf.Tensor | null>): tf.Tensor[] => {
    const p = padsAt(xt!.shape.slice(2));
    const sym = symmetric(p);
    const input = sym === null ? padOnnx(xt!, [0, 0, ...p.slice(0, n), 0, 0, ...p.slice(n)], 'constant', 0) : xt!;
    return [F.convNd('conv', n, input, wt!, bt ?? null, { stride: win.strides, padding: sym ?? 0, dilation: win.dilations, groups: group })];
  };
  const emit = (e: Emitter): void => {
    const p = padsAt(e.inputTensor(0)!.shape.slice(2));
    e.node('Conv', [e.input(0), e.input(1), ...(c.has(2) ? [e.input(2)] : [])], {
      kernel_shape: attr.ints(win.kernel), strides: attr.ints(win.strides), dilations: attr.ints(win.dilations), group: attr.int(group), pads: attr.ints(p),
    });
  };
  const op: PreparedOp = { outputs: [{ elemType: ElemType.FLOAT, shape: outShape }], run, emit };
  if (pads !== null) {
    const sym = symmetric(pads);
    const Layer = CONV[n - 1]!;
    const weight = c.constant(1);
    const bias = c.has(2) ? c.constant(2) : null;
    if (weight !== null && (bias !== null || !c.has(2))) {
      op.layer = layerPlan(c, () => {
        const m = new Layer(w[1]! * group, w[0]!, win.kernel, { stride: win.strides, padding: sym ?? 0, dilation: win.dilations, groups: group, bias: bias !== null });
        loadConst(m.weight, weight, 'weight');
        if (bias !== null) loadConst(m.bias, bias, 'bias');
        return m;
      }, sym === null ? pads : undefined);
    }
  }
  return op;
};

const convTranspose: OpDef = (c: OpContext): PreparedOp => {
  const { w, n, win, group } = convSetup(c);
  if (win.autoPad !== 'NOTSET') c.refuse(`auto_pad '${win.autoPad}' is not supported for ConvTranspose; give explicit pads`);
  if (c.attrs.has('output_shape')) c.refuse("attribute 'output_shape' is not supported; give pads and output_padding");
  const outputPadding = c.attrs.ints('output_padding') ?? Array<number>(n).fill(0);
  if (outputPadding.length !== n) c.refuse(`output_padding [${outputPadding.join(', ')}] must have ${n} values`);
  const sym = symmetric(win.pads);
  if (sym === null) c.refuse(`asymmetric pads [${win.pads.join(', ')}] are not supported for ConvTranspose`);
  const x = c.shape(0);
  if (x !== null && x.length !== n + 2) c.refuse(`input of rank ${x.length} for a ${n}-d transposed convolution (rank ${n + 2} expected)`);
  const outShape: Dim[] | null = x === null ? null : [x[0]!, w[1]! * group, ...x.slice(2).map((s, i) =>
    typeof s === 'number' ? (s - 1) * win.strides[i]! - 2 * sym[i]! + win.dilations[i]! * (w[i + 2]! - 1) + outputPadding[i]! + 1 : null)];
  const options = { stride: win.strides, padding: sym, outputPadding, dilation: win.dilations, groups: group };
  const op: PreparedOp = {
    outputs: [{ elemType: ElemType.FLOAT, shape: outShape }],
    run: ([xt, wt, bt]) => [F.convTransposeNd('convTranspose', n, xt!, wt!, bt ?? null, options)],
    emit: (e) => e.node('ConvTranspose', [e.input(0), e.input(1), ...(c.has(2) ? [e.input(2)] : [])], {
      kernel_shape: attr.ints(win.kernel), strides: attr.ints(win.strides), dilations: attr.ints(win.dilations), group: attr.int(group),
      pads: attr.ints(win.pads), output_padding: attr.ints(outputPadding),
    }),
  };
  const weight = c.constant(1);
  const bias = c.has(2) ? c.constant(2) : null;
  if (weight !== null && (bias !== null || !c.has(2))) {
    const Layer = CONV_T[n - 1]!;
    op.layer = layerPlan(c, () => {
      const m = new Layer(w[0]!, w[1]! * group, win.kernel, { ...options, bias: bias !== null });
      loadConst(m.weight, weight, 'weight');
      if (bias !== null) loadConst(m.bias, bias, 'bias');
      return m;
    });
  }
  // pq's transposed convolutions take PyTorch's output_padding rule; ONNX allows more.
  outputPadding.forEach((p, i) => {
    if (p >= win.strides[i]! && p >= win.dilations[i]!) c.refuse(`output_padding [${outputPadding.join(', ')}] must be smaller than the stride or the dilation`);
  });
  return op;
};

export const convOps: Record<string, OpDef> = { Conv: conv, ConvTranspose: convTranspose };
