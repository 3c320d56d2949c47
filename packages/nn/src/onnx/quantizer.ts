// TensorQuantizer -> QuantizeLinear/DequantizeLinear, as the reference exports them:
// scale = amax / maxBound (127 signed, 255 unsigned; a zero scale becomes 1), zero point 0 as
// int8 (uint8 when unsigned), `axis` for a per-channel amax. E4M3 becomes the reference's
// TRT_FP8QuantizeLinear / TRT_FP8DequantizeLinear pair in domain 'trt' (or, with fp8Format
// 'onnx', the standard pair with a FLOAT8E4M3FN zero point). A disabled quantizer exports
// nothing.
//
// Block-wise and sub-8-bit integer quantizers (INT4 AWQ, W4A8) of a constant (a weight) export
// as what a deployment stores: the weight's integers (INT4 for up to 4 bits, else INT8) and one
// DequantizeLinear, with `axis` and `block_size` (opset 21) for blocks, feeding the MatMul / Gemm.
// On a computed tensor they become a Q/DQ pair, which exists for 4 and 8 bits only.
import { TensorQuantizer } from '../quant/tensor_quantizer.js';
import { DataType, attr, type Attr } from './proto.js';
import { isTensor, type ConvertContext } from './context.js';
import { registerModuleConverter } from './registry.js';
import * as tf from '@tensorflow/tfjs-core';
import { blockAxes, blockLayout, blockQuant, broadcastTo, formatShape, normalizeAxis, reduceBlockAmax, type BlockSizes } from '@pq/core';

const E4M3_MAX = 448;
/** The first opset with INT4 / UINT4 and DequantizeLinear's block_size. */
export const INT4_OPSET = 21;
const FP8_OPSET = 19;

/**
 * Emits what `q` does to the value `x` (of shape `xShape`) and returns the resulting value.
 * `field` is the quantizer's field in the module being converted (e.g. '_input_quantizer'),
 * '' when the quantizer itself is being converted; it names initializers and errors.
 */
export function emitQuantizer(ctx: ConvertContext, q: TensorQuantizer, x: string, xShape: readonly number[], field: string): string {
  const g = ctx.graph;
  const base = baseName(ctx, field);
  const refuse = refuser(ctx, field);
  let value = x;
  if (q.preQuantScale !== null) {
    const s = q.preQuantScale;
    value = g.op('Mul', [value, g.floatConst(`${base}.pre_quant_scale`, s.shape, s.dataSync())], `${base}/pre_scaled`);
  }
  if (q.disabled) return value;
  const problem = quantizerProblem(q, ctx);
  if (problem !== null) refuse(problem);
  const clip = q.learnAmax && q.clip !== undefined ? clipRange(q) : null;
  if (!q.ifQuant) {
    return q.ifClip && clip !== null ? emitClip(ctx, value, clip, base) : value;
  }
  if (clip !== null) value = emitClip(ctx, value, clip, base);
  if (q.amax === null && clip === null) {
    refuse('dynamic block amax (blockSizes type dynamic) on a computed tensor does not export: Q/DQ needs static scales (only weights, which are constants, export with a dynamic block amax)');
  }
  const { amax: rawAmax, shape: rawShape } = effectiveAmax(q);

  if (q.isE4M3) {
    const amax = rawAmax;
    const scale = g.floatConst(`${base}.scale`, [], [nonZero(Math.fround(amax[0]! / E4M3_MAX))]);
    if (ctx.fp8Format === 'onnx') {
      const zero = g.initializer(`${base}.zero_point`, DataType.FLOAT8E4M3FN, [], new Uint8Array(1));
      const qv = g.op('QuantizeLinear', [value, scale, zero], `${base}/quantized`, {}, { name: `${base}/QuantizeLinear` });
      return g.op('DequantizeLinear', [qv, scale, zero], `${base}/dequantized`, {}, { name: `${base}/DequantizeLinear` });
    }
    const qv = g.op('TRT_FP8QuantizeLinear', [value, scale], `${base}/quantized`, {}, { domain: 'trt', name: `${base}/TRT_FP8QuantizeLinear` });
    return g.op('TRT_FP8DequantizeLinear', [qv, scale], `${base}/dequantized`, {}, { domain: 'trt', name: `${base}/TRT_FP8DequantizeLinear` });
  }
  const numBits = q.numBits as number;
  if (numBits !== 8 && numBits !== 4) {
    refuse(
      `numBits ${numBits} on a computed tensor does not export: QuantizeLinear saturates to 8 or 4 bits ` +
        '(weights, which are constants, of 2 to 8 bits export as integers and a DequantizeLinear)',
    );
  }
  const { amax, shape: amaxShape } = amaxAtRank(q, rawAmax, rawShape, xShape, refuse);
  const form = dequantizeForm(q, xShape, amaxShape, refuse);
  const scale = g.floatConst(`${base}.scale`, form.scaleDims, scales(amax, q.maxBound));
  const zeroType = integerType(numBits, q.unsigned);
  const zero = g.initializer(`${base}.zero_point`, zeroType, form.scaleDims, q.unsigned ? new Uint8Array(amax.length) : new Int8Array(amax.length));
  const qv = g.op('QuantizeLinear', [value, scale, zero], `${base}/quantized`, form.attrs, { name: `${base}/QuantizeLinear` });
  return g.op('DequantizeLinear', [qv, scale, zero], `${base}/dequantized`, form.attrs, { name: `${base}/DequantizeLinear` });
}

/** Whether `q` turns a constant input into integers + DequantizeLinear (block-wise or under 8 bits). */
export function storesIntegers(q: TensorQuantizer): boolean {
  return !q.disabled && q.ifQuant && !q.isE4M3 && (q.blockSizes !== null || (q.numBits as number) < 8);
}

/**
 * Emits `q` applied to a constant (`data` of `shape`, e.g. a weight): the integers pq's fake
 * quantization rounds it to, stored as an initializer named `name` (INT4 / UINT4 up to 4 bits,
 * else INT8 / UINT8), and a DequantizeLinear with the scales (`axis` per channel; `axis` and
 * `block_size` for blocks). A preQuantScale and a learned clip are applied to the values first.
 */
export function emitQuantizedConstant(ctx: ConvertContext, q: TensorQuantizer, data: Float32Array, shape: readonly number[], name: string, field: string): string {
  const g = ctx.graph;
  const base = baseName(ctx, field);
  const refuse = refuser(ctx, field);
  const problem = quantizerProblem(q, ctx);
  if (problem !== null) refuse(problem);
  let values = data;
  if (q.preQuantScale !== null) {
    const s = q.preQuantScale;
    broadcastTo(s.shape, shape, 'preQuantScale');
    values = tf.tidy(() => tf.mul(tf.tensor(values, [...shape]), s).dataSync() as Float32Array);
  }
  const clip = q.learnAmax && q.clip !== undefined ? clipRange(q) : null;
  if (clip !== null) values = values.map((v) => Math.min(Math.max(v, clip[0]), clip[1]));
  let raw: { amax: Float32Array; shape: number[] };
  if (q.amax === null && clip === null) {
    // Dynamic blocks: the constant's own block amax, as the forward computes it.
    const r = reduceBlockAmax({ data: values, shape: [...shape] }, blockAxes(q.blockSizes!));
    raw = { amax: q.scaleAmax === null ? r.data : r.data.map((a) => Math.fround(a * q.scaleAmax!)), shape: [...r.shape] };
  } else {
    raw = effectiveAmax(q);
  }
  const { amax, shape: amaxShape } = amaxAtRank(q, raw.amax, raw.shape, shape, refuse);
  const form = dequantizeForm(q, shape, amaxShape, refuse);
  // A per-tensor or per-channel amax is blocks too: whole axes (null) and single indices (1).
  const blocks: BlockSizes = q.blockSizes !== null ? blockAxes(q.blockSizes) : Object.fromEntries(amaxShape.map((d, i) => [i, d === 1 ? null : 1]));
  const numBits = q.numBits as number;
  const { outputs } = blockQuant({ data: values, shape: [...shape] }, { data: amax, shape: amaxShape }, blocks, {
    numBits, unsigned: q.unsigned, narrowRange: q.narrowRange,
  });
  const type = integerType(numBits, q.unsigned);
  const ints = q.unsigned ? Uint8Array.from(outputs.data) : Int8Array.from(outputs.data);
  const weight = g.initializer(name, type, shape, ints);
  const scale = g.floatConst(`${base}.scale`, form.scaleDims, scales(amax, q.maxBound));
  return g.op('DequantizeLinear', [weight, scale], `${base}/dequantized`, form.attrs, { name: `${base}/DequantizeLinear` });
}

/**
 * Why `q` (enabled) cannot export at `opset`, or null. Checked for every quantizer of the model
 * before the forward runs (exportOnnx), so the error names the quantizer, not a failing kernel;
 * what depends on the input (its shape, whether it is a constant) is checked when it is emitted.
 */
export function quantizerProblem(q: TensorQuantizer, o: { opset: number; fp8Format?: 'trt' | 'onnx' } = { opset: INT4_OPSET }): string | null {
  if (q.disabled) return null;
  if (q.ifCalib) return 'is still calibrating (ifCalib); finish calibration (finishCalibration / disableCalib) before export';
  if (!q.ifQuant) return null;
  if (!q.fakeQuant) return 'real quantization (fakeQuant: false) outputs integers and does not export; use fake quantization';
  const blocks = q.blockSizes !== null;
  if (q.isE4M3) {
    if (blocks) return 'block-wise E4M3 (blockSizes with numBits [4, 3]) does not export: FP8 Q/DQ takes one per-tensor scale';
    if ((o.fp8Format ?? 'trt') === 'onnx' && o.opset < FP8_OPSET) return `E4M3 as standard QuantizeLinear (fp8Format 'onnx') needs opset ${FP8_OPSET} or later, got ${o.opset}`;
  } else {
    const numBits = q.numBits as number;
    if (numBits > 8) return `numBits ${numBits} does not export; ONNX integer types are 8 bits at most (int8, int4), E4M3 exports as FP8`;
    if ((blocks || numBits <= 4) && o.opset < INT4_OPSET) {
      return `${blocks ? 'block-wise quantization (blockSizes)' : `numBits ${numBits} (INT4)`} exports from opset ${INT4_OPSET} (DequantizeLinear with block_size, 4-bit integer types); pass { opset: ${INT4_OPSET} }, got ${o.opset}`;
    }
  }
  const learnedClip = q.learnAmax && q.clip !== undefined;
  if (!learnedClip && q.amax === null) {
    if (q.dynamicBlocks) return null;
    return 'has no static amax (it computes amax from each batch); calibrate it or set amax before export';
  }
  const { amax, shape } = effectiveAmax(q);
  if (amax.some((a) => !(a >= 0) || !Number.isFinite(a))) return `amax must be finite and >= 0, got ${Array.from(amax).join(', ')}`;
  if (q.isE4M3 && amax.length !== 1) return `E4M3 needs a per-tensor amax, got shape ${formatShape(shape)}`;
  if (!blocks && shape.filter((d) => d > 1).length > 1) {
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

interface DequantizeForm {
  /** `axis` (per channel or blocked) and `block_size` (blocked). */
  attrs: Record<string, Attr>;
  /** The scale's (and zero point's) dims: [] per tensor, [C] per channel, the amax shape for blocks. */
  scaleDims: number[];
}

/**
 * The amax at x's rank: a block amax as it is (one value stands for every block), a broadcast
 * amax (numpy rules, from the right) padded with 1s.
 */
function amaxAtRank(
  q: TensorQuantizer, amax: Float32Array, amaxShape: readonly number[], xShape: readonly number[], refuse: (why: string) => never,
): { amax: Float32Array; shape: number[] } {
  if (q.blockSizes !== null) {
    const want = [...blockLayout(xShape, blockAxes(q.blockSizes)).amaxShape];
    const count = want.reduce((a, b) => a * b, 1);
    if (amax.length === 1) return { amax: new Float32Array(count).fill(amax[0]!), shape: want };
    if (formatShape(amaxShape) !== formatShape(want)) {
      refuse(`block amax of shape ${formatShape(amaxShape)} does not match the blocks of the input ${formatShape(xShape)} (expected ${formatShape(want)})`);
    }
    return { amax, shape: want };
  }
  try {
    return { amax, shape: broadcastTo(amaxShape, xShape) };
  } catch (e) {
    return refuse((e as Error).message);
  }
}

/**
 * Per tensor (no axis), per channel (`axis`, a 1-D scale) or blocked along one axis (`axis`,
 * `block_size`, a scale of x's rank with ceil(n / block) on that axis): ONNX's three forms.
 */
function dequantizeForm(q: TensorQuantizer, xShape: readonly number[], amaxShape: readonly number[], refuse: (why: string) => never): DequantizeForm {
  if (q.blockSizes === null) {
    const varying = amaxShape.flatMap((d, i) => (d > 1 ? [i] : []));
    if (varying.length === 0) return { attrs: {}, scaleDims: [] };
    if (varying.length > 1) refuse(`amax of shape ${formatShape(amaxShape)} varies along several axes; ONNX Q/DQ takes one axis`);
    return { attrs: { axis: attr.int(varying[0]!) }, scaleDims: [amaxShape[varying[0]!]!] };
  }
  const reduced = amaxShape.flatMap((d, i) => (d !== xShape[i] ? [i] : []));
  if (reduced.length > 1) {
    refuse(`blocks along axes ${reduced.join(', ')} of ${formatShape(xShape)} (amax ${formatShape(amaxShape)}) do not export: DequantizeLinear's block_size blocks one axis`);
  }
  // No axis reduced (blocks of 1): each element its own scale, as blocks of 1 on the last axis.
  const axis = reduced[0] ?? xShape.length - 1;
  const configured = Object.entries(blockAxes(q.blockSizes)).find(([k]) => normalizeAxis(Number(k), xShape.length) === axis)?.[1];
  const blockSize = reduced.length === 0 ? 1 : typeof configured === 'number' ? configured : xShape[axis]!;
  return { attrs: { axis: attr.int(axis), block_size: attr.int(blockSize) }, scaleDims: [...amaxShape] };
}

/** INT4 / UINT4 up to 4 bits, else INT8 / UINT8. */
function integerType(numBits: number, unsigned: boolean): number {
  if (numBits <= 4) return unsigned ? DataType.UINT4 : DataType.INT4;
  return unsigned ? DataType.UINT8 : DataType.INT8;
}

function scales(amax: Float32Array, maxBound: number): number[] {
  return Array.from(amax, (a) => nonZero(Math.fround(a / maxBound)));
}

function baseName(ctx: ConvertContext, field: string): string {
  return [ctx.scope, field].filter((s) => s !== '').join('.') || 'quantizer';
}

function refuser(ctx: ConvertContext, field: string): (why: string) => never {
  return (why) => ctx.refuse(field === '' ? why : `${field}: ${why}`);
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
  const x = args[0];
  if (!isTensor(x)) return ctx.refuse('the quantizer input is not a tensor');
  const constant = storesIntegers(q) ? ctx.constantOf(x) : null;
  const value = constant !== null
    ? emitQuantizedConstant(ctx, q, constant.data, x.shape, constant.name, '')
    : emitQuantizer(ctx, q, ctx.nameOf(x, 'input'), x.shape, '');
  ctx.bind(output, value);
});
