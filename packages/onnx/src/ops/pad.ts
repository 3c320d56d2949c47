// Pad: modes constant / reflect / edge / wrap (opset 19), pads (and, from opset 18, axes) as
// inputs, computed on pq's F.pad.
import type * as tf from '@tensorflow/tfjs-core';
import { F, attr } from '@pq/nn';
import { isIntType } from '../types.js';
import { intsOf, type OpContext, type OpDef } from './op.js';

const PAD_MODES: Record<string, F.PadMode> = { constant: 'constant', reflect: 'reflect', edge: 'replicate', wrap: 'circular' };

/** ONNX pads ([begin of each axis..., end of each axis...] over `axes`) as the full-rank list. */
function fullPads(pads: readonly number[], axes: readonly number[] | null, rank: number): number[] {
  const list = axes ?? Array.from({ length: rank }, (_, i) => i);
  if (pads.length !== 2 * list.length) throw new Error(`Pad: ${pads.length} pads for ${list.length} axes (2 per axis expected)`);
  const out = new Array<number>(2 * rank).fill(0);
  list.forEach((a0, j) => {
    const a = a0 < 0 ? a0 + rank : a0;
    out[a] = pads[j]!;
    out[a + rank] = pads[j + list.length]!;
  });
  return out;
}

/** x padded by full-rank ONNX pads: pq's F.pad, which lists (before, after) from the last axis. */
export function padOnnx(x: tf.Tensor, pads: readonly number[], mode: F.PadMode, value: number): tf.Tensor {
  const rank = x.rank;
  const torchPads: number[] = [];
  let last = -1;
  for (let a = rank - 1; a >= 0; a--) {
    torchPads.push(pads[a]!, pads[a + rank]!);
    if (pads[a] !== 0 || pads[a + rank] !== 0) last = rank - a;
  }
  return last < 0 ? x : F.pad(x, torchPads.slice(0, 2 * last), mode, value);
}

export const pad: OpDef = (c: OpContext) => {
  const modeName = c.attrs.string('mode', 'constant');
  const mode = PAD_MODES[modeName];
  if (mode === undefined || (modeName === 'wrap' && c.opset < 19)) c.refuse(`mode '${modeName}' is not supported (constant, reflect, edge${c.opset >= 19 ? ', wrap' : ''})`);
  if (!isIntType(c.type(1).elemType)) c.refuse('input 1 (pads) must be INT64');
  return {
    outputs: [{ elemType: c.type(0).elemType, shape: c.shape(0) === null ? null : c.shape(0)!.map(() => null) }],
    run: ([x, p, v, ax]) => {
      const pads = fullPads(intsOf(p!), ax ? intsOf(ax) : null, x!.rank);
      return [padOnnx(x!, pads, mode, v ? v.dataSync()[0]! : 0)];
    },
    emit: (e) => {
      const attrs = { mode: attr.string(modeName) };
      const value = e.inputTensor(2) === null ? [] : [e.input(2)];
      if (e.inputTensor(3) === null) {
        e.node('Pad', [e.input(0), e.input(1), ...value], attrs);
        return;
      }
      // Pads over selected axes exist from opset 18; below, the full list.
      const x = e.inputTensor(0)!;
      const full = fullPads(intsOf(e.inputTensor(1)!), intsOf(e.inputTensor(3)!), x.rank);
      if (e.opset >= 18) e.node('Pad', [e.input(0), e.input(1), value[0] ?? '', e.input(3)], attrs);
      else e.node('Pad', [e.input(0), e.int64(full), ...value], attrs);
    },
  };
};

