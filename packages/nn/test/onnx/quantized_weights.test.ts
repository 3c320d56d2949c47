// Block-wise and sub-8-bit weights in ONNX (opset 21): the weight stored as the integers pq's
// fake quantization rounds it to (INT4 up to 4 bits, else INT8) and one DequantizeLinear
// (`axis`, `block_size`) feeding Gemm / MatMul; W4A8 with int8 activations; AWQ's pre-scale as a
// Mul; FP8 as standard Q/DQ (fp8Format 'onnx'); and what is refused. Each graph runs in
// onnxruntime-node at level 'basic'.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { QuantDescriptor } from '@pq/core';
import {
  F, INT4_AWQ_CFG, INT4_BLOCKWISE_WEIGHT_ONLY_CFG, Linear, Module, OnnxExportError, QuantLinear, TensorQuantizer, W4A8_AWQ_BETA_CFG,
  decodeOnnx, exportOnnx, manualSeed, quantize,
} from '@pq/nn';
import { graphView, maxAbsDiff, runOrt, runPq, seeded } from './ort.js';

const ql = (l: Linear): QuantLinear => l as QuantLinear;

/** x -> Linear(inF, out) (Gemm for 2-D x, MatMul for 3-D) -> relu -> Linear(out, 3). */
class Mlp extends Module {
  fc1: Linear;
  fc2 = new Linear(6, 3);
  constructor(inF: number) {
    super();
    this.fc1 = new Linear(inF, 6);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.fc2.call(F.relu(this.fc1.call(x) as tf.Tensor)) as tf.Tensor;
  }
}

function mlp(inF: number, cfg: Parameters<typeof quantize>[1], batches: tf.Tensor[]): Mlp {
  manualSeed(7);
  const model = new Mlp(inF).eval();
  return quantize(model, cfg, (m) => batches.forEach((b) => tf.tidy(() => m.call(b)))) as Mlp;
}

/** An initializer's values as numbers: INT4 / UINT4 unpacked (low nibble first), INT8, FLOAT. */
function initializerValues(bytes: Uint8Array, name: string): { dataType: number; dims: number[]; values: number[] } {
  const t = decodeOnnx(bytes).graph.initializer.find((i) => i.name === name);
  if (t === undefined) throw new Error(`no initializer ${name}`);
  const raw = new Uint8Array(t.rawData ?? []);
  const dims = (t.dims ?? []).map(Number);
  const n = dims.reduce((a, b) => a * b, 1);
  const dataType = t.dataType ?? 0;
  let values: number[];
  if (dataType === 22 || dataType === 21) {
    values = Array.from({ length: n }, (_, i) => {
      const nib = (raw[i >> 1]! >> ((i & 1) * 4)) & 15;
      return dataType === 22 && nib >= 8 ? nib - 16 : nib;
    });
  } else if (dataType === 3) values = Array.from(new Int8Array(raw.buffer));
  else if (dataType !== 1) values = Array.from(raw);
  else values = Array.from(new Float32Array(raw.buffer));
  return { dataType, dims, values };
}

/**
 * ORT computes the same float graph: DequantizeLinear multiplies by amax / maxBound where pq
 * divides by maxBound / amax (one rounding apart per weight), and both sum in their own order.
 * For a product of n terms that is within n float32 roundings of sum |x| |w|; this bounds it
 * for layer `fc` of `model` on input x.
 */
function roundingBound(fc: Linear, x: tf.Tensor, n: number): number {
  return tf.tidy(() => {
    const w = tf.abs(((fc as QuantLinear)._weight_quantizer.call(fc.weight) as tf.Tensor));
    const xs = tf.abs(tf.reshape(x, [-1, fc.inFeatures]));
    return tf.max(tf.matMul(xs, w, false, true)).dataSync()[0]! * n * 2 ** -23;
  });
}

/**
 * roundingBound through both layers of the Mlp, on what each layer multiplies (its input times
 * its input quantizer's pre-scale, if any): fc1's bound carried through fc2's weights, plus fc2's own.
 */
function mlpBound(model: Mlp, x: tf.Tensor): number {
  return tf.tidy(() => {
    const seen = (fc: Linear, t: tf.Tensor) => {
      const s = (fc as QuantLinear)._input_quantizer.preQuantScale;
      return s === null ? t : tf.mul(t, s);
    };
    const first = roundingBound(model.fc1, seen(model.fc1, x), model.fc1.inFeatures);
    const w2 = tf.abs(ql(model.fc2)._weight_quantizer.call(model.fc2.weight) as tf.Tensor);
    const h = F.relu(model.fc1.call(x) as tf.Tensor);
    return first * tf.max(tf.sum(w2, 1)).dataSync()[0]! + roundingBound(model.fc2, seen(model.fc2, h), 6);
  });
}

describe('exportOnnx: block-wise and low-bit weights as integers + DequantizeLinear (opset 21)', () => {
  const x2 = seeded([5, 200], 3, 2);
  const x3 = seeded([2, 4, 200], 4, 2);

  it('W4A16 (INT4_BLOCKWISE_WEIGHT_ONLY_CFG): INT4 weights with pq\'s integers, scales per block of 128 (a partial last block), Gemm and MatMul', async () => {
    const model = mlp(200, INT4_BLOCKWISE_WEIGHT_ONLY_CFG, [x2]);
    for (const [x, matmul] of [[x2, 'Gemm'], [x3, 'MatMul']] as const) {
      const bytes = exportOnnx(model, x, { opset: 21 });
      const { nodes } = graphView(bytes);
      expect(nodes.some((n) => n.opType === 'QuantizeLinear')).toBe(false);
      const dq = nodes.filter((n) => n.opType === 'DequantizeLinear');
      expect(dq.map((n) => [n.inputs[0], n.attrs.axis, n.attrs.block_size])).toEqual([['fc1.weight', 1, 128], ['fc2.weight', 1, 128]]);
      expect(nodes.filter((n) => n.opType === matmul)).toHaveLength(2);
      const w = initializerValues(bytes, 'fc1.weight');
      expect([w.dataType, w.dims]).toEqual([22, [6, 200]]);
      // The integers are pq's fake-quantized weight divided by its block's scale, exactly.
      const q = ql(model.fc1)._weight_quantizer as TensorQuantizer;
      const amax = q.amax!.dataSync();
      const fq = tf.tidy(() => (q.call(model.fc1.weight) as tf.Tensor).dataSync());
      expect(w.values).toEqual(Array.from(fq, (v, i) => Math.round(v * Math.fround(7 / amax[Math.floor(i / 200) * 2 + (i % 200 >= 128 ? 1 : 0)]!)) + 0));
      expect(Math.max(...w.values.map(Math.abs))).toBe(7); // amax = max |w| of each block: ±7 at its largest
      const scale = initializerValues(bytes, 'fc1._weight_quantizer.scale');
      expect(scale.dims).toEqual([6, 2]);
      expect(scale.values).toEqual(Array.from(amax, (a) => Math.fround(a / 7)));
      const [ort] = await runOrt(bytes, [x]);
      const [ref] = runPq(model, [x]);
      expect(maxAbsDiff(ort!.data, ref!.data)).toBeLessThanOrEqual(mlpBound(model, x));
    }
    model.dispose();
  });

  it('3 and 8 bits in blocks, 4 bits per channel, a dynamic block amax computed from the weight', async () => {
    const x = seeded([3, 16], 5, 2);
    const cases: Array<[QuantDescriptor, number, Record<string, number>]> = [
      [new QuantDescriptor({ numBits: 3, blockSizes: { [-1]: 8 } }), 22, { axis: 1, block_size: 8 }],
      [new QuantDescriptor({ numBits: 8, blockSizes: { [-1]: 8 } }), 3, { axis: 1, block_size: 8 }],
      [new QuantDescriptor({ numBits: 4, axis: 0 }), 22, { axis: 0 }],
      [new QuantDescriptor({ numBits: 4, blockSizes: { [-1]: 4, type: 'dynamic' } }), 22, { axis: 1, block_size: 4 }],
    ];
    for (const [desc, dataType, attrs] of cases) {
      manualSeed(3);
      const lin = new QuantLinear(16, 4, { quantDescWeight: desc });
      lin._input_quantizer.disable();
      if (!lin._weight_quantizer.dynamicBlocks) lin._weight_quantizer.amax = tf.tidy(() => lin._weight_quantizer.blockSizes === null ? tf.max(tf.abs(lin.weight), 1, true) : tf.max(tf.abs(tf.reshape(lin.weight, [4, 2, 8])), 2));
      const bytes = exportOnnx(lin, x, { opset: 21 });
      const dq = graphView(bytes).nodes.find((n) => n.opType === 'DequantizeLinear')!;
      expect({ ...dq.attrs }, desc.toString()).toEqual(attrs);
      expect(initializerValues(bytes, 'weight').dataType).toBe(dataType);
      const [ort] = await runOrt(bytes, [x]);
      expect(maxAbsDiff(ort!.data, runPq(lin, [x])[0]!.data), desc.toString()).toBeLessThanOrEqual(roundingBound(lin, x, 16));
      lin.dispose();
    }
  });

  it('W4A8 with int8 activations: Q/DQ on each input, INT4 block weights; ORT within one activation step', async () => {
    const cfg = {
      quantCfg: { '*weight_quantizer': { numBits: 4, blockSizes: { [-1]: 128 } }, '*input_quantizer': { numBits: 8 }, default: { enable: false } },
      algorithm: 'max' as const,
    };
    const model = mlp(200, cfg, [x2]);
    const bytes = exportOnnx(model, x2, { opset: 21 });
    expect(graphView(bytes).nodes.map((n) => n.opType)).toEqual([
      'QuantizeLinear', 'DequantizeLinear', 'DequantizeLinear', 'Gemm', 'Relu', 'QuantizeLinear', 'DequantizeLinear', 'DequantizeLinear', 'Gemm',
    ]);
    const [ort] = await runOrt(bytes, [x2]);
    const [ref] = runPq(model, [x2]);
    // An activation at a rounding tie may land one int8 step apart: fc2's input step times its weights.
    const step = ql(model.fc2)._input_quantizer.amax!.dataSync()[0]! / 127;
    const w2 = tf.tidy(() => tf.max(tf.sum(tf.abs(ql(model.fc2)._weight_quantizer.call(model.fc2.weight) as tf.Tensor), 1)).dataSync()[0]!);
    expect(maxAbsDiff(ort!.data, ref!.data)).toBeLessThanOrEqual(step * w2 + mlpBound(model, x2));
    model.dispose();
  });

  it("INT4_AWQ_CFG: the input's pre-scale (1/s) as a Mul before each Gemm, the scaled weights as INT4; ORT equals pq to float rounding", async () => {
    const model = mlp(200, INT4_AWQ_CFG, [x2, seeded([5, 200], 8, 3)]);
    expect(ql(model.fc1)._input_quantizer.preQuantScale).not.toBeNull();
    const bytes = exportOnnx(model, x2, { opset: 21 });
    expect(graphView(bytes).nodes.map((n) => n.opType)).toEqual(['Mul', 'DequantizeLinear', 'Gemm', 'Relu', 'Mul', 'DequantizeLinear', 'Gemm']);
    const [ort] = await runOrt(bytes, [x2]);
    expect(maxAbsDiff(ort!.data, runPq(model, [x2])[0]!.data)).toBeLessThanOrEqual(mlpBound(model, x2));
    model.dispose();
  });

  it("W4A8_AWQ_BETA_CFG: INT4 DQ then FP8 Q/DQ on the weights, FP8 inputs; fp8Format 'onnx' runs in ORT", async () => {
    const model = mlp(200, W4A8_AWQ_BETA_CFG, [x2]);
    const trt = graphView(exportOnnx(model, x2, { opset: 21 }));
    expect(trt.nodes.slice(0, 6).map((n) => `${n.domain}:${n.opType}`)).toEqual([
      ':Mul', 'trt:TRT_FP8QuantizeLinear', 'trt:TRT_FP8DequantizeLinear', ':DequantizeLinear', 'trt:TRT_FP8QuantizeLinear', 'trt:TRT_FP8DequantizeLinear',
    ]);
    const bytes = exportOnnx(model, x2, { opset: 21, fp8Format: 'onnx' });
    const { nodes } = graphView(bytes);
    expect(nodes.filter((n) => n.opType === 'QuantizeLinear')).toHaveLength(4);
    expect(initializerValues(bytes, 'fc1._input_quantizer.zero_point').dataType).toBe(17); // FLOAT8E4M3FN
    const [ort] = await runOrt(bytes, [x2]);
    const [ref] = runPq(model, [x2]);
    // An E4M3 value at a rounding tie moves one step (1/8 of its binade): bound it by 1/8 of |y|.
    const yMax = Math.max(...Array.from(ref!.data, Math.abs));
    expect(maxAbsDiff(ort!.data, ref!.data)).toBeLessThanOrEqual(yMax / 8);
    expect(Array.from(ort!.data).every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it('a 4-bit block quantizer on an activation is a blocked QuantizeLinear / DequantizeLinear pair with an INT4 zero point', async () => {
    class Act extends Module {
      q = new TensorQuantizer(new QuantDescriptor({ numBits: 4, blockSizes: { [-1]: 4 } }));
      forward(x: tf.Tensor): tf.Tensor {
        return this.q.call(x) as tf.Tensor;
      }
    }
    const m = new Act();
    const x = seeded([2, 8], 9, 2);
    m.q.amax = tf.tensor2d([[1, 2], [0.5, 1.5]]);
    const bytes = exportOnnx(m, x, { opset: 21, dynamicBatch: false });
    const nodes = graphView(bytes).nodes;
    expect(nodes.map((n) => [n.opType, n.attrs.axis, n.attrs.block_size])).toEqual([['QuantizeLinear', 1, 4], ['DequantizeLinear', 1, 4]]);
    expect(initializerValues(bytes, 'q.zero_point')).toEqual({ dataType: 22, dims: [2, 2], values: [0, 0, 0, 0] });
    const [ort] = await runOrt(bytes, [x]);
    expect(maxAbsDiff(ort!.data, runPq(m, [x])[0]!.data)).toBeLessThanOrEqual(2 / 7 + 1e-6);
  });

  it('refuses what ONNX cannot express, naming the quantizer', () => {
    const lin = (desc: QuantDescriptor, input?: QuantDescriptor) => {
      manualSeed(1);
      const l = new QuantLinear(16, 4, { quantDescWeight: desc, ...(input ? { quantDescInput: input } : {}) });
      if (input === undefined) l._input_quantizer.disable();
      return l;
    };
    const x = seeded([2, 16], 1);
    const blocks = lin(new QuantDescriptor({ numBits: 4, blockSizes: { [-1]: 8 }, amax: 1 }));
    expect(() => exportOnnx(blocks, x, { opset: 20 })).toThrow(/quantizer '_weight_quantizer': block-wise quantization \(blockSizes\) exports from opset 21/);
    expect(() => exportOnnx(lin(new QuantDescriptor({ numBits: 8, amax: 1 }), new QuantDescriptor({ numBits: 3, amax: 1 })), x, { opset: 21 }))
      .toThrow(/ONNX export of '_input_quantizer' \(TensorQuantizer\): numBits 3 on a computed tensor does not export/);
    expect(() => exportOnnx(lin(new QuantDescriptor({ numBits: 8, amax: 1 }), new QuantDescriptor({ numBits: 4, blockSizes: { [-1]: 4, type: 'dynamic' } })), x, { opset: 21 }))
      .toThrow(OnnxExportError);
    const twoD = lin(new QuantDescriptor({ numBits: 4, blockSizes: { 0: 2, [-1]: 8 } }));
    twoD._weight_quantizer.amax = tf.ones([2, 2]);
    expect(() => exportOnnx(twoD, x, { opset: 21 })).toThrow(/blocks along axes 0, 1 of \[4, 16\] .*block_size blocks one axis/);
    expect(() => exportOnnx(lin(new QuantDescriptor({ numBits: [4, 3], blockSizes: { [-1]: 8 }, amax: 1 })), x, { opset: 21 }))
      .toThrow(/block-wise E4M3/);
    const fp8 = lin(new QuantDescriptor({ numBits: [4, 3], amax: 1 }));
    expect(() => exportOnnx(fp8, x, { opset: 17, fp8Format: 'onnx' })).toThrow(/fp8Format 'onnx'\) needs opset 19 or later, got 17/);
    expect(() => exportOnnx(fp8, x, { fp8Format: 'fp8' as never })).toThrow(/fp8Format must be 'trt' or 'onnx', got 'fp8'/);
    expect(() => exportOnnx(fp8, x, { opset: 22 })).toThrow(/opset 22 is not supported \(use 13 to 21\)/);
  });
});
