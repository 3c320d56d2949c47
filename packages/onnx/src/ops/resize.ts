// Resize, modes 'nearest' and 'linear', as ONNX Runtime computes them: each resized axis maps
// output coordinates to input coordinates (half_pixel, pytorch_half_pixel, align_corners,
// asymmetric, tf_half_pixel_for_nn; float32 arithmetic as ORT does it), then gathers the
// nearest input (by nearest_mode) or blends the two neighbours. Built from gathers and
// products, so gradients flow on every backend.
import * as tf from '@tensorflow/tfjs-core';
import { attr } from '@pq/nn';
import { ElemType, type Dim } from '../types.js';
import { normAxis } from '../shapes.js';
import { gatherValues } from './gather.js';
import { intsOf, type OpContext, type OpDef } from './op.js';

const f32 = Math.fround;
const COORD_MODES = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'] as const;
type CoordMode = (typeof COORD_MODES)[number];
const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] as const;
type NearestMode = (typeof NEAREST_MODES)[number];

/** The input coordinate of output coordinate `x` (float32 steps, as ORT). */
function sourceCoord(mode: CoordMode, x: number, scale: number, inSize: number, outSize: number): number {
  switch (mode) {
    case 'half_pixel': return f32(f32(f32(x + 0.5) / scale) - 0.5);
    case 'pytorch_half_pixel': return outSize > 1 ? f32(f32(f32(x + 0.5) / scale) - 0.5) : 0;
    case 'align_corners': return outSize === 1 ? 0 : f32(f32(x * (inSize - 1)) / (outSize - 1));
    case 'asymmetric': return f32(x / scale);
    case 'tf_half_pixel_for_nn': return f32(f32(x + 0.5) / scale);
  }
}

function nearestIndex(mode: NearestMode, v: number, inSize: number): number {
  let i: number;
  if (mode === 'floor') i = Math.floor(v);
  else if (mode === 'ceil') i = Math.ceil(v);
  else if (mode === 'round_prefer_floor') i = v === Math.trunc(v) + 0.5 ? Math.floor(v) : Math.sign(v) * Math.round(Math.abs(v));
  else i = Math.sign(v) * Math.round(Math.abs(v)); // std::round: halves away from zero
  return Math.min(Math.max(i, 0), inSize - 1);
}

interface AxisResize {
  axis: number;
  inSize: number;
  outSize: number;
  scale: number;
}

/** Each axis's sizes and scale, from `scales` or `sizes` (over `axes`, or every axis). */
function resizePlan(shape: readonly number[], scales: number[] | null, sizes: number[] | null, axes: number[] | null): AxisResize[] {
  const rank = shape.length;
  const list = axes ?? Array.from({ length: rank }, (_, i) => i);
  const given = scales ?? sizes!;
  if (given.length !== list.length) throw new Error(`Resize: ${given.length} ${scales ? 'scales' : 'sizes'} for an input of rank ${rank}${axes ? ` and ${list.length} axes` : ''}`);
  return list.map((a0, j) => {
    const axis = a0 < 0 ? a0 + rank : a0;
    const inSize = shape[axis]!;
    if (scales !== null) {
      const scale = scales[j]!;
      if (!(scale > 0)) throw new Error(`Resize: scale ${scale} must be positive`);
      return { axis, inSize, outSize: Math.floor(f32(scale * inSize)), scale };
    }
    const outSize = sizes![j]!;
    if (!(outSize >= 0)) throw new Error(`Resize: size ${outSize} must be non-negative`);
    return { axis, inSize, outSize, scale: f32(outSize / inSize) };
  });
}

export const resize: OpDef = (c: OpContext) => {
  if (c.type(0).elemType !== ElemType.FLOAT) c.refuse('input must be FLOAT');
  const mode = c.attrs.string('mode', 'nearest');
  if (mode !== 'nearest' && mode !== 'linear') c.refuse(`mode '${mode}' is not supported ('nearest' or 'linear')`);
  const coord = c.attrs.string('coordinate_transformation_mode', 'half_pixel') as CoordMode;
  if (!COORD_MODES.includes(coord)) c.refuse(`coordinate_transformation_mode '${coord}' is not supported (${COORD_MODES.join(', ')})`);
  const nearest = c.attrs.string('nearest_mode', 'round_prefer_floor') as NearestMode;
  if (!NEAREST_MODES.includes(nearest)) c.refuse(`nearest_mode '${nearest}' is not supported`);
  c.attrs.ignore('cubic_coeff_a', 'extrapolation_value'); // cubic and tf_crop_and_resize only
  c.attrs.expect('exclude_outside', 0);
  c.attrs.expect('antialias', 0);
  c.attrs.expect('keep_aspect_ratio_policy', 'stretch');
  const axes = c.attrs.ints('axes') ?? null;
  const s = c.shape(0);
  if (axes !== null && s !== null) axes.forEach((a) => normAxis(a, s.length, (why) => c.refuse(why)));
  const scalesK = c.has(2) ? c.constant(2) : null;
  const sizesK = c.has(3) ? c.constant(3) : null;
  const hasScales = c.has(2) && (scalesK === null || scalesK.values.length > 0);
  const hasSizes = c.has(3) && (sizesK === null || sizesK.values.length > 0);
  if (hasScales === hasSizes) c.refuse('exactly one of scales and sizes must be given');
  // roi (input 1) only matters for tf_crop_and_resize, which is refused above.
  let shape: Dim[] | null = s === null ? null : s.map(() => null);
  if (s !== null && s.every((d) => typeof d === 'number') && (hasScales ? scalesK : sizesK) !== null) {
    const plan = resizePlan(s as number[], hasScales ? Array.from(scalesK!.values) : null, hasScales ? null : Array.from(sizesK!.values), axes);
    shape = [...s];
    for (const p of plan) shape[p.axis] = p.outSize;
  }

  const run = (x: tf.Tensor, scalesT: tf.Tensor | null, sizesT: tf.Tensor | null): tf.Tensor => {
    const plan = resizePlan(x.shape, hasScales ? Array.from(scalesT!.dataSync()) : null, hasScales ? null : intsOf(sizesT!), axes);
    return tf.tidy(() => {
      let y = x;
      for (const { axis, inSize, outSize, scale } of plan) {
        const src = Array.from({ length: outSize }, (_, i) => sourceCoord(coord, i, scale, inSize, outSize));
        if (mode === 'nearest') {
          const idx = src.map((v) => nearestIndex(nearest, v, inSize));
          if (outSize !== inSize || idx.some((v, i) => v !== i)) y = gatherValues(y, idx, axis);
          continue;
        }
        const lo: number[] = [];
        const hi: number[] = [];
        const wLo: number[] = [];
        const wHi: number[] = [];
        for (const v0 of src) {
          const v = Math.min(Math.max(v0, 0), inSize - 1);
          const a = Math.min(Math.trunc(v), inSize - 1);
          const b = Math.min(a + 1, inSize - 1);
          lo.push(a);
          hi.push(b);
          wLo.push(a === b ? 0.5 : Math.abs(v - b));
          wHi.push(a === b ? 0.5 : Math.abs(v - a));
        }
        if (outSize === inSize && lo.every((v, i) => v === i && wLo[i] === 1)) continue;
        const wShape = y.shape.map((d, i) => (i === axis ? outSize : 1));
        y = tf.add(
          tf.mul(gatherValues(y, lo, axis), tf.tensor(wLo, wShape)),
          tf.mul(gatherValues(y, hi, axis), tf.tensor(wHi, wShape)),
        );
      }
      return y === x ? tf.clone(x) : y;
    });
  };

  return {
    outputs: [{ elemType: ElemType.FLOAT, shape }],
    run: ([x, , scalesT, sizesT]) => [run(x!, scalesT ?? null, sizesT ?? null)],
    emit: (e) => {
      const attrs = {
        mode: attr.string(mode),
        coordinate_transformation_mode: attr.string(coord),
        ...(mode === 'nearest' ? { nearest_mode: attr.string(nearest) } : {}),
      };
      let scales = hasScales ? e.input(2) : '';
      let sizes = hasScales ? '' : e.input(3);
      if (axes !== null) {
        // Scales or sizes over selected axes exist from opset 18 only: written for every axis.
        const x = e.inputTensor(0)!;
        const plan = resizePlan(x.shape, hasScales ? Array.from(e.inputTensor(2)!.dataSync()) : null, hasScales ? null : intsOf(e.inputTensor(3)!), axes);
        const full = x.shape.map((d) => (hasScales ? 1 : d));
        for (const p of plan) full[p.axis] = hasScales ? p.scale : p.outSize;
        if (hasScales) scales = e.float(full);
        else sizes = e.int64(full);
      }
      e.node('Resize', [e.input(0), '', scales, sizes], attrs);
    },
  };
};
