// An amax broadcast against x, reduced to what a kernel can index cheaply: x's elements fall
// into consecutive blocks of `blockLen` elements sharing one amax value, and the amax value
// of block k is `values[k mod period]`. Per-tensor amax is period 1; [C,1,1,1] gives blocks of one channel (period C);
// [1,C,1,1] blocks of H*W with period C; [1,1,C] blocks of 1 with period C. Any
// other broadcast pattern is covered by expanding amax over the span between its first and
// last varying axis (the "middle"), which costs at most one float per element of that span.

import { broadcastTo } from '@pq/core';

export interface ScaleBlocks {
  /** Consecutive x elements that share one amax value. */
  readonly blockLen: number;
  /** Blocks after which the amax pattern repeats. */
  readonly period: number;
  /** amax index of block k (k < period). */
  readonly amaxIndex: Int32Array;
}

/** The block structure of `amaxShape` broadcast to `xShape` (throws when it does not broadcast). */
export function scaleBlocks(xShape: readonly number[], amaxShape: readonly number[]): ScaleBlocks {
  const aligned = broadcastTo(amaxShape, xShape, 'amax');
  const varying = xShape.map((d, i) => aligned[i] !== 1 && d !== 1);
  const first = varying.indexOf(true);
  if (first < 0) return { blockLen: Math.max(1, product(xShape, 0, xShape.length)), period: 1, amaxIndex: Int32Array.of(0) };
  const last = varying.lastIndexOf(true);
  const blockLen = product(xShape, last + 1, xShape.length);
  const period = product(xShape, first, last + 1);
  // amax strides in its aligned (row-major, contiguous) layout; 0 where amax broadcasts.
  const strides = new Array<number>(xShape.length).fill(0);
  let s = 1;
  for (let i = xShape.length - 1; i >= 0; i--) {
    strides[i] = aligned[i] === 1 ? 0 : s;
    s *= aligned[i]!;
  }
  const amaxIndex = new Int32Array(period);
  const idx = new Array<number>(last + 1 - first).fill(0);
  let offset = 0;
  for (let k = 0; k < period; k++) {
    amaxIndex[k] = offset;
    // odometer over the middle axes, innermost fastest
    for (let d = last; d >= first; d--) {
      const j = d - first;
      idx[j]!++;
      offset += strides[d]!;
      if (idx[j]! < xShape[d]!) break;
      offset -= strides[d]! * xShape[d]!;
      idx[j] = 0;
    }
  }
  return { blockLen, period, amaxIndex };
}

function product(shape: readonly number[], from: number, to: number): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i]!;
  return n;
}
