// ReduceMean / ReduceSum / ReduceMax / ReduceMin: axes as an attribute (before opset 18; before
// 13 for ReduceSum) or a constant input, keepdims, and noop_with_empty_axes where it exists.
import * as tf from '@tensorflow/tfjs-core';
import { attr } from '@pq/nn';
import { ElemType, type Dim } from '../types.js';
import { normAxis } from '../shapes.js';
import type { OpContext, OpDef } from './op.js';

const REDUCERS: Record<string, (x: tf.Tensor, axes: number[], keep: boolean) => tf.Tensor> = {
  ReduceMean: (x, a, k) => tf.mean(x, a, k),
  ReduceSum: (x, a, k) => tf.sum(x, a, k),
  ReduceMax: (x, a, k) => tf.max(x, a, k),
  ReduceMin: (x, a, k) => tf.min(x, a, k),
};

/** The opset from which `op` takes its axes as an input. */
function axesInputFrom(op: string): number {
  return op === 'ReduceSum' ? 13 : 18;
}

function reduce(opType: string): OpDef {
  const f = REDUCERS[opType]!;
  return (c: OpContext) => {
    const t = c.type(0);
    if (t.elemType === ElemType.BOOL) c.refuse('boolean input is not supported');
    const asInput = c.opset >= axesInputFrom(opType);
    const keep = c.attrs.int('keepdims', 1) === 1;
    const noop = asInput && c.attrs.int('noop_with_empty_axes', 0) === 1;
    const given = asInput ? (c.has(1) ? c.constInts(1, 'axes') : null) : (c.attrs.ints('axes') ?? null);
    const s = c.shape(0);
    const axesFor = (rank: number): number[] | null => {
      if (given === null || given.length === 0) return noop ? null : Array.from({ length: rank }, (_, i) => i);
      return given.map((a) => normAxis(a, rank, (why) => c.refuse(why)));
    };
    let shape: Dim[] | null = null;
    if (s !== null) {
      const axes = axesFor(s.length);
      shape = axes === null ? s : keep ? s.map((d, i) => (axes.includes(i) ? 1 : d)) : s.filter((_, i) => !axes.includes(i));
    }
    return {
      outputs: [{ elemType: t.elemType, shape }],
      run: ([x]) => {
        const axes = axesFor(x!.rank);
        return [axes === null ? x! : f(x!, axes, keep)];
      },
      emit: (e) => {
        const axes = axesFor(e.inputTensor(0)!.rank);
        if (axes === null) {
          e.alias(0, e.input(0));
          return;
        }
        const k = { keepdims: attr.int(keep ? 1 : 0) };
        if (e.opset >= axesInputFrom(opType)) e.node(opType, [e.input(0), e.int64(axes)], k);
        else e.node(opType, [e.input(0)], { ...k, axes: attr.ints(axes) });
      },
    };
  };
}

export const reduceOps: Record<string, OpDef> = {
  ReduceMean: reduce('ReduceMean'),
  ReduceSum: reduce('ReduceSum'),
  ReduceMax: reduce('ReduceMax'),
  ReduceMin: reduce('ReduceMin'),
};
