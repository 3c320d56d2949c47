// TensorQuantizer -> QuantizeLinear/DequantizeLinear (SEMANTICS.md "ONNX export"):
// scale = amax / maxBound (127 signed, 255 unsigned; a zero scale becomes 1), zero point 0 as
// int8 (uint8 when unsigned), `axis` for a per-channel amax. E4M3 becomes the reference's
// TRT_FP8QuantizeLinear / TRT_FP8DequantizeLinear pair in domain 'trt'. A disabled quantizer
// exports nothing.
import { TensorQuantizer } from '../quant/tensor_quantizer.js';
import { DataType, attr, type Attr } from './proto.js';
import type { ConvertContext } from './context.js';
import { registerModuleConverter } from './registry.js';
import { formatShape, shapeSize } from '@pq/core';

const E4M3_MAX = 448;

/**
 * Emits what `q` does to the value `x` (of shape `xShape`) and returns the resulting value.
 * `field` is the quantizer's field in the module being converted (e.g. '_input_quantizer'),
 * '' when the quantizer itself is being converted; it names initializers and errors.
 */
export function emitQuantizer(ctx: ConvertContext, q: TensorQuantizer, x: string, xShape: readonly number[], field: string): string {
  const g = ctx.graph;
  const base = [ctx.scope, field].filter((s) => s !== '').join('.') || 'quantizer';
  const refuse = (why: string): never => ctx.refuse(field === '' ? why : `${field}: ${why}`);
  let value = x;
  if (q.preQuantScale !== null) {
    const s = q.preQuantScale;
    value = g.op('Mul', [value, g.floatConst(`${base}.pre_quant_scale`, s.shape, s.dataSync())], `${base}/pre_scaled`);
  }
  if (q.disabled) return value;
  const problem = quantizerProblem(q);
  if (problem !== null) refuse(problem);
  const clip = q.learnAmax && q.clip !== undefined ? clipRange(q) : null;
  if (!q.ifQuant) {
    return q.ifClip && clip !== null ? emitClip(ctx, value, clip, base) : value;
  }
  if (clip !== null) value = emitClip(ctx, value, clip, base);
  const { amax, shape: amaxShape } = effectiveAmax(q);

  if (q.isE4M3) {
    const scale = g.floatConst(`${base}.scale`, [], [nonZero(Math.fround(amax[0]! / E4M3_MAX))]);
    const qv = g.op('TRT_FP8QuantizeLinear', [value, scale], `${base}/quantized`, {}, { domain: 'trt', name: `${base}/TRT_FP8QuantizeLinear` });
    return g.op('TRT_FP8DequantizeLinear', [qv, scale], `${base}/dequantized`, {}, { domain: 'trt', name: `${base}/TRT_FP8DequantizeLinear` });
  }
  const axis = channelAxis(amaxShape, xShape, refuse);
  const maxBound = q.maxBound;
  const scales = Array.from(amax, (a) => nonZero(Math.fround(a / maxBound)));
  const dims = axis === null ? [] : [scales.length];
  const scale = g.floatConst(`${base}.scale`, dims, scales);
  const zero = q.unsigned
    ? g.initializer(`${base}.zero_point`, DataType.UINT8, dims, new Uint8Array(scales.length))
    : g.initializer(`${base}.zero_point`, DataType.INT8, dims, new Int8Array(scales.length));
  const attrs: Record<string, Attr> = axis === null ? {} : { axis: attr.int(axis) };
  const qv = g.op('QuantizeLinear', [value, scale, zero], `${base}/quantized`, attrs, { name: `${base}/QuantizeLinear` });
  return g.op('DequantizeLinear', [qv, scale, zero], `${base}/dequantized`, attrs, { name: `${base}/DequantizeLinear` });
}

/**
 * Why `q` (enabled) cannot export, or null. Checked for every quantizer of the model before
 * the forward runs (exportOnnx), so the error names the quantizer, not a failing kernel.
 */
export function quantizerProblem(q: TensorQuantizer): string | null {
  if (q.disabled) return null;
  if (q.ifCalib) return 'is still calibrating (ifCalib); finish calibration (finishCalibration / disableCalib) before export';
  if (!q.ifQuant) return null;
  if (!q.fakeQuant) return 'real quantization (fakeQuant: false) outputs integers and does not export; use fake quantization';
  if (q.blockSizes !== null) {
    return 'block-wise quantization (blockSizes) does not export: QuantizeLinear / DequantizeLinear take a per-tensor or per-axis scale';
  }
  if (!q.isE4M3 && q.numBits !== 8) {
    return `numBits ${String(q.numBits)} does not export; ONNX QuantizeLinear is 8-bit (int8/uint8), E4M3 exports as TRT_FP8`;
  }
  if (!(q.learnAmax && q.clip !== undefined) && q.amax === null) {
    return 'has no static amax (it computes amax from each batch); calibrate it or set amax before export';
  }
  const { amax, shape } = effectiveAmax(q);
  if (amax.some((a) => !(a >= 0) || !Number.isFinite(a))) return `amax must be finite and >= 0, got ${Array.from(amax).join(', ')}`;
  if (q.isE4M3 && amax.length !== 1) return `E4M3 needs a per-tensor amax, got shape ${formatShape(shape)}`;
  if (shape.filter((d) => d > 1).length > 1) {
    return `amax of shape ${formatShape(shape)} varies along several axes; ONNX Q/DQ takes one axis`;
  }
  return null;
}

/** The amax the quantizer uses: the learned clip range, else the static amax; times scaleAmax. */
function effectiveAmax(q: TensorQuantizer): { amax: Float32Array; shape: number[] } {
  let amax: Float32Array;
  let shape: number[];
  if (q.learnAmax && q.clip !== undefined) {
    const [lo, hi] = clipRange(q);
    amax = Float32Array.of(Math.max(-lo, hi));
    shape = [];
  } else {
    amax = Float32Array.from(q.amax!.dataSync());
    shape = [...q.amax!.shape];
  }
  if (q.scaleAmax !== null) amax = amax.map((a) => Math.fround(a * q.scaleAmax!));
  return { amax, shape };
}

/** The one axis of x along which amax varies, or null for a per-tensor amax. */
function channelAxis(amaxShape: number[], xShape: readonly number[], refuse: (why: string) => never): number | null {
  const count = shapeSize(amaxShape);
  if (count === 1) return null;
  const varying = amaxShape.flatMap((d, i) => (d > 1 ? [i] : []));
  if (varying.length !== 1) {
    refuse(`amax of shape ${formatShape(amaxShape)} varies along several axes; ONNX Q/DQ takes one axis`);
  }
  if (amaxShape.length > xShape.length) {
    refuse(`amax of shape ${formatShape(amaxShape)} has more dimensions than the input ${formatShape(xShape)}`);
  }
  // amax broadcasts against x from the right (numpy rules).
  const axis = varying[0]! + xShape.length - amaxShape.length;
  if (xShape[axis] !== amaxShape[varying[0]!]) {
    refuse(`amax of shape ${formatShape(amaxShape)} does not match input ${formatShape(xShape)} on axis ${axis}`);
  }
  return axis;
}

function clipRange(q: TensorQuantizer): [number, number] {
  const clip = q.clip!;
  return [clip.clip_value_min.dataSync()[0]!, clip.clip_value_max.dataSync()[0]!];
}

function emitClip(ctx: ConvertContext, x: string, [lo, hi]: [number, number], base: string): string {
  const g = ctx.graph;
  return g.op('Clip', [x, g.floatConst(`${base}.clip_min`, [], [lo]), g.floatConst(`${base}.clip_max`, [], [hi])], `${base}/clipped`);
}

function nonZero(scale: number): number {
  return scale === 0 ? 1 : scale;
}

registerModuleConverter(TensorQuantizer, (ctx, q, args, output) => {
  const x = args[0] as { shape: number[] };
  ctx.bind(output, emitQuantizer(ctx, q, ctx.nameOf(x, 'input'), x.shape, ''));
});
