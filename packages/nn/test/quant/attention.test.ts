// QuantMultiheadAttention: ModelOpt's quantizer names, each switchable; what replaceWithQuant and
// quantModules map MultiheadAttention to; exported to ONNX as MatMul with Q/DQ on both inputs.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  Module, MultiheadAttention, QuantLinear, QuantMultiheadAttention, TensorQuantizer, TransformerEncoderLayer, enableCalibration,
  exportOnnx, finishCalibration, manualSeed, quantModules, quantizers, replaceWithQuant,
} from '@pq/nn';
import { graphView, maxAbsDiff, runOrt, seeded } from '../onnx/ort.js';

const NAMES = ['_input_quantizer', '_weight_quantizer', 'q_bmm_quantizer', 'k_bmm_quantizer', 'v_bmm_quantizer', 'softmax_quantizer'];

function run(m: Module, x: tf.Tensor): Float32Array {
  return tf.tidy(() => Float32Array.from(((m.call(x, x, x) as tf.Tensor[])[0]!).dataSync()));
}

describe('QuantMultiheadAttention', () => {
  it('has ModelOpt names in state-dict order; all quantizers off gives the float layer exactly; each one switches on its own', () => {
    manualSeed(5);
    const float = new MultiheadAttention(8, 2);
    const q = new QuantMultiheadAttention(8, 2);
    expect(Object.keys(q.stateDict())).toEqual(['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);
    expect([...q.namedModules()].map(([n]) => n)).toEqual(['', 'out_proj', 'out_proj._input_quantizer', 'out_proj._weight_quantizer', ...NAMES]);
    expect(q.out_proj).toBeInstanceOf(QuantLinear);
    q.loadStateDict(float.stateDict());
    q.eval();
    float.eval();
    const x = seeded([5, 2, 8], 3);
    for (const t of quantizers(q).values()) t.disable();
    const ref = run(float, x);
    expect(run(q, x)).toEqual(ref);
    for (const name of NAMES) {
      const t = (q as unknown as Record<string, TensorQuantizer>)[name]!;
      t.enable();
      expect(maxAbsDiff(run(q, x), ref), name).toBeGreaterThan(0);
      t.disable();
    }
    q.dispose();
    float.dispose();
    x.dispose();
  });

  it('replaceWithQuant and quantModules map MultiheadAttention to it (out_proj replaced once)', () => {
    manualSeed(6);
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 });
    const x = seeded([4, 2, 8], 4);
    layer.eval();
    const ref = tf.tidy(() => Float32Array.from((layer.call(x) as tf.Tensor).dataSync()));
    expect(replaceWithQuant(layer)).toEqual(['self_attn', 'linear1', 'linear2']);
    expect(layer.self_attn).toBeInstanceOf(QuantMultiheadAttention);
    for (const t of quantizers(layer).values()) t.disable();
    expect(tf.tidy(() => Float32Array.from((layer.call(x) as tf.Tensor).dataSync()))).toEqual(ref);
    layer.dispose();
    quantModules.initialize();
    try {
      const built = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
      expect(built.self_attn).toBeInstanceOf(QuantMultiheadAttention);
      expect(built.linear1).toBeInstanceOf(QuantLinear);
      built.dispose();
    } finally {
      quantModules.deactivate();
    }
    x.dispose();
  });

  it('calibrated, exports as MatMul with QuantizeLinear/DequantizeLinear on both inputs, and runs in ONNX Runtime', async () => {
    manualSeed(7);
    const m = new QuantMultiheadAttention(8, 2, { batchFirst: true });
    m.eval();
    enableCalibration(m);
    for (let i = 0; i < 2; i++) tf.tidy(() => m.call(seeded([2, 5, 8], 10 + i), seeded([2, 5, 8], 10 + i), seeded([2, 5, 8], 10 + i)));
    finishCalibration(m);
    class Self extends Module {
      constructor(readonly attn: QuantMultiheadAttention) {
        super();
      }
      forward(x: tf.Tensor): tf.Tensor {
        return (this.attn.call(x, x, x, { needWeights: false }) as tf.Tensor[])[0]!;
      }
    }
    const model = new Self(m);
    const x = seeded([2, 5, 8], 20);
    const bytes = exportOnnx(model, x, { dynamicBatch: false });
    const { nodes } = graphView(bytes);
    const producer = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n.opType] as const)));
    const matmuls = nodes.filter((n) => n.opType === 'MatMul');
    // The q, k, v projections take the quantized input and the (split, transposed) quantized
    // weight; the two attention products take two quantized operands each.
    expect(matmuls.map((mm) => mm.inputs.map((i) => producer.get(i)))).toEqual([
      ['DequantizeLinear', 'Transpose'], ['DequantizeLinear', 'Transpose'], ['DequantizeLinear', 'Transpose'],
      ['DequantizeLinear', 'DequantizeLinear'], ['DequantizeLinear', 'DequantizeLinear'],
    ]);
    const [ort] = await runOrt(bytes, [x]);
    const ours = tf.tidy(() => Float32Array.from((model.call(x) as tf.Tensor).dataSync()));
    // At the 'basic' level ORT runs the graph's own float Q/DQ math: equal to float rounding.
    expect(maxAbsDiff(ort!.data, ours)).toBeLessThanOrEqual(1e-4);
    model.dispose();
    x.dispose();
  });
});
