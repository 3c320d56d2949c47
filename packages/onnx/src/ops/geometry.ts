// Window geometry shared by Conv, ConvTranspose and the pools: ONNX's pads / auto_pad resolved
// to explicit [begin..., end...] pads, and output sizes, on dimensions that may be unknown.
import type { OpContext } from './op.js';
import type { Dim } from '../types.js';

export interface WindowAttrs {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** auto_pad: 'NOTSET' (use pads), 'VALID', 'SAME_UPPER' or 'SAME_LOWER'. */
  autoPad: string;
  /** The pads attribute ([begin..., end...]). */
  pads: number[];
}

/** Reads kernel_shape (or `kernel` from the weight), strides, dilations, auto_pad and pads. */
export function readWindow(c: OpContext, n: number, kernel: number[] | null, withDilations = true): WindowAttrs {
  const a = c.attrs;
  const k = a.ints('kernel_shape') ?? kernel;
  if (k === null) c.refuse("attribute 'kernel_shape' is required");
  if (k.length !== n) c.refuse(`kernel_shape [${k.join(', ')}] has ${k.length} dimensions for ${n} spatial ones`);
  if (kernel !== null && k.some((d, i) => d !== kernel[i])) c.refuse(`kernel_shape [${k.join(', ')}] differs from the weight's [${kernel.join(', ')}]`);
  const list = (name: string, dflt: number): number[] => {
    const v = a.ints(name) ?? Array<number>(n).fill(dflt);
    if (v.length !== n) c.refuse(`${name} [${v.join(', ')}] must have ${n} values`);
    if (v.some((x) => !(x >= 1))) c.refuse(`${name} [${v.join(', ')}] must be positive`);
    return v;
  };
  const strides = list('strides', 1);
  const dilations = withDilations ? list('dilations', 1) : Array<number>(n).fill(1);
  const autoPad = a.string('auto_pad', 'NOTSET');
  if (!['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'].includes(autoPad)) c.refuse(`auto_pad '${autoPad}' is not a valid value`);
  const pads = a.ints('pads') ?? Array<number>(2 * n).fill(0);
  if (pads.length !== 2 * n || pads.some((p) => p < 0)) c.refuse(`pads [${pads.join(', ')}] must be ${2 * n} non-negative values`);
  if (autoPad !== 'NOTSET' && a.has('pads') && pads.some((p) => p !== 0)) c.refuse('pads and auto_pad are both given');
  return { kernel: k, strides, dilations, autoPad, pads };
}

/** Explicit pads for spatial input sizes `spatial`; null when SAME padding needs a size that is unknown. */
export function resolvePads(w: WindowAttrs, spatial: readonly Dim[] | null): number[] | null {
  const n = w.kernel.length;
  if (w.autoPad === 'NOTSET') return w.pads;
  if (w.autoPad === 'VALID') return Array<number>(2 * n).fill(0);
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < n; i++) {
    const eff = (w.kernel[i]! - 1) * w.dilations[i]! + 1;
    let total: number;
    if (w.strides[i] === 1) total = eff - 1;
    else {
      const size = spatial?.[i];
      if (typeof size !== 'number') return null;
      total = Math.max(0, (Math.ceil(size / w.strides[i]!) - 1) * w.strides[i]! + eff - size);
    }
    const small = Math.floor(total / 2);
    begin.push(w.autoPad === 'SAME_UPPER' ? small : total - small);
    end.push(w.autoPad === 'SAME_UPPER' ? total - small : small);
  }
  return [...begin, ...end];
}

/** [begin..., end...] pads as PyTorch's symmetric padding, or null when they are not symmetric. */
export function symmetric(pads: readonly number[]): number[] | null {
  const n = pads.length / 2;
  const begin = pads.slice(0, n);
  return begin.every((p, i) => p === pads[n + i]) ? begin : null;
}

/** Output size of a window op along one axis (floor, or ceil with ceilMode), or null when unknown. */
export function windowOutput(size: Dim, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number, ceilMode = false): Dim {
  if (typeof size !== 'number') return null;
  const span = size + padBegin + padEnd - dilation * (kernel - 1) - 1;
  return (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
}
