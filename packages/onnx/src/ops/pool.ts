// MaxPool -> MaxPool1d/2d/3d, AveragePool -> AvgPool1d/2d/3d, GlobalAveragePool ->
// AdaptiveAvgPool1d/2d/3d(1). Pads PyTorch's layers cannot take (asymmetric, more than half the
// kernel, SAME) become a Pad before the layer: -inf for max, zeros for an average that counts
// the padding. GlobalMaxPool (and GlobalAveragePool of unknown rank) run functionally.
import * as tf from '@tensorflow/tfjs-core';
import { AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AvgPool1d, AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d } from '@pq/nn';
import { ElemType, type Dim } from '../types.js';
import { resolvePads, readWindow, symmetric, windowOutput, type WindowAttrs } from './geometry.js';
import { emitSame, type OpContext, type OpDef, type PreparedOp } from './op.js';

const MAX = [MaxPool1d, MaxPool2d, MaxPool3d] as const;
const AVG = [AvgPool1d, AvgPool2d, AvgPool3d] as const;
const ADAPTIVE = [AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d] as const;

interface PoolSetup {
  n: number;
  win: WindowAttrs;
  pads: number[];
  ceil: boolean;
  /** Symmetric pads the layer takes itself, or null when a Pad goes first. */
  layerPadding: number[] | null;
  outputs: PreparedOp['outputs'];
}

function poolSetup(c: OpContext, withDilations: boolean): PoolSetup {
  if (c.type(0).elemType !== ElemType.FLOAT) c.refuse('input must be FLOAT');
  const k = c.attrs.ints('kernel_shape');
  if (k === undefined) c.refuse("attribute 'kernel_shape' is required");
  const n = k.length;
  if (n < 1 || n > 3) c.refuse(`kernel_shape [${k.join(', ')}]: pq supports 1-d, 2-d and 3-d pooling`);
  const win = readWindow(c, n, null, withDilations);
  // Runtimes disagree on SAME padding of dilated pools (ONNX Runtime sizes it without the dilation).
  if (win.autoPad.startsWith('SAME') && win.dilations.some((d) => d !== 1)) c.refuse(`auto_pad ${win.autoPad} with dilations [${win.dilations.join(', ')}] is ambiguous; give explicit pads`);
  const ceil = c.attrs.int('ceil_mode', 0) === 1;
  const s = c.shape(0);
  if (s !== null && s.length !== n + 2) c.refuse(`input of rank ${s.length} for ${n}-d pooling (rank ${n + 2} expected)`);
  const pads = resolvePads(win, s === null ? null : s.slice(2));
  if (pads === null) c.refuse(`auto_pad ${win.autoPad} with strides needs the input's spatial size, which is not known; pass inputShapes`);
  const sym = symmetric(pads);
  const layerPadding = sym !== null && sym.every((p, i) => p <= win.kernel[i]! / 2) ? sym : null;
  const spatial: Dim[] | null = s === null ? null : s.slice(2).map((d, i) => windowOutput(d, win.kernel[i]!, win.strides[i]!, win.dilations[i]!, pads[i]!, pads[i + n]!, ceil));
  return { n, win, pads, ceil, layerPadding, outputs: [{ elemType: ElemType.FLOAT, shape: s === null ? null : [s[0]!, s[1]!, ...spatial!] }] };
}

const maxPool: OpDef = (c: OpContext): PreparedOp => {
  if (c.outputUsed(1)) c.refuse('its Indices output is used; pq imports MaxPool values only');
  c.attrs.expect('storage_order', 0);
  const p = poolSetup(c, true);
  const Layer = MAX[p.n - 1]!;
  return {
    outputs: p.outputs,
    layer: {
      create: () => new Layer(p.win.kernel, { stride: p.win.strides, padding: p.layerPadding ?? 0, dilation: p.win.dilations, ceilMode: p.ceil }),
      dataInput: 0,
      params: {},
      ...(p.layerPadding === null ? { prePad: { pads: p.pads, value: -Infinity } } : {}),
    },
  };
};

const averagePool: OpDef = (c: OpContext): PreparedOp => {
  const countPad = c.attrs.int('count_include_pad', 0) === 1;
  if (c.opset >= 19 && (c.attrs.ints('dilations') ?? []).some((d) => d !== 1)) c.refuse('dilations other than 1 are not supported');
  const p = poolSetup(c, false);
  if (p.layerPadding === null && !countPad && p.pads.some((v) => v > 0)) {
    c.refuse(`pads [${p.pads.join(', ')}] (asymmetric or more than half the kernel) are only supported with count_include_pad=1`);
  }
  const Layer = AVG[p.n - 1]!;
  return {
    outputs: p.outputs,
    layer: {
      create: () => new Layer(p.win.kernel, { stride: p.win.strides, padding: p.layerPadding ?? 0, ceilMode: p.ceil, countIncludePad: countPad }),
      dataInput: 0,
      params: {},
      ...(p.layerPadding === null ? { prePad: { pads: p.pads, value: 0 } } : {}),
    },
  };
};

function globalPool(opType: 'GlobalAveragePool' | 'GlobalMaxPool'): OpDef {
  return (c: OpContext): PreparedOp => {
    if (c.type(0).elemType !== ElemType.FLOAT) c.refuse('input must be FLOAT');
    const s = c.shape(0);
    if (s !== null && s.length < 3) c.refuse(`input of rank ${s.length}: [N, C, spatial...] expected`);
    const reduce = opType === 'GlobalAveragePool' ? tf.mean : tf.max;
    const op: PreparedOp = {
      outputs: [{ elemType: ElemType.FLOAT, shape: s === null ? null : s.map((d, i) => (i < 2 ? d : 1)) }],
      run: ([x]) => [reduce(x!, Array.from({ length: x!.rank - 2 }, (_, i) => i + 2), true)],
      emit: emitSame(opType),
    };
    const Layer = s === null ? undefined : ADAPTIVE[s.length - 3];
    if (opType === 'GlobalAveragePool' && Layer !== undefined) op.layer = { create: () => new Layer(1), dataInput: 0, params: {} };
    return op;
  };
}

export const poolOps: Record<string, OpDef> = {
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalPool('GlobalAveragePool'),
  GlobalMaxPool: globalPool('GlobalMaxPool'),
};
