// quantize(model, config, forwardLoop): replacement, quantCfg patterns (later entries win),
// presets, max calibration giving the max seen, summary and switches, clear errors.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  F, FP8_DEFAULT_CFG, INT4_AWQ_CFG, INT8_DEFAULT_CFG, INT8_SMOOTHQUANT_CFG, exportOnnx, Linear, Module, MultiheadAttention, QuantLinear, QuantMultiheadAttention,
  SequentialQuantizer, TensorQuantizer, TransformerEncoder, TransformerEncoderLayer, W4A8_AWQ_BETA_CFG, disableQuantizer,
  enableQuantizer, manualSeed, printQuantSummary, quantize, quantizers, setModuleCallHook,
} from '@pq/nn';
import { graphView, maxAbsDiff, runOrt, runPq, seeded } from '../onnx/ort.js';

class Tiny extends Module {
  proj = new Linear(16, 32);
  encoder: TransformerEncoder;
  head = new Linear(32, 5);
  constructor() {
    super();
    const layer = new TransformerEncoderLayer(32, 4, { dimFeedforward: 48, dropout: 0, batchFirst: true });
    this.encoder = new TransformerEncoder(layer, 1);
    layer.dispose();
  }
  forward(x: tf.Tensor): tf.Tensor {
    const h = this.encoder.call(this.proj.call(x)) as tf.Tensor;
    return this.head.call(F.mean(h, 1)) as tf.Tensor;
  }
}

const batches = [0, 1, 2].map((i) => seeded([2, 6, 16], 40 + i, 2));
const loop = (m: Module) => {
  for (const b of batches) tf.tidy(() => m.call(b));
};
const tiny = () => {
  manualSeed(21);
  return new Tiny().eval();
};
const LINEARS = ['proj', 'encoder.layers.0.self_attn', 'encoder.layers.0.self_attn.out_proj', 'encoder.layers.0.linear1', 'encoder.layers.0.linear2', 'head'];

afterEach(() => vi.restoreAllMocks());

describe('quantize with INT8_DEFAULT_CFG', () => {
  it('quantizes every Linear input (per tensor) and weight (per channel) with the max seen in the loop', () => {
    // What each linear layer sees, from the float model.
    const seen = new Map<string, number>();
    const float = tiny();
    const names = new Map([...float.namedModules()].map(([n, m]) => [m, n]));
    const prev = setModuleCallHook((m, args, run) => {
      if (m instanceof Linear || m instanceof MultiheadAttention) {
        const n = names.get(m)!;
        const v = Math.max(...Array.from((args[0] as tf.Tensor).dataSync(), Math.abs));
        seen.set(n, Math.max(seen.get(n) ?? 0, v));
      }
      return run();
    });
    try {
      loop(float);
    } finally {
      setModuleCallHook(prev);
    }
    const model = quantize(tiny(), INT8_DEFAULT_CFG, loop);
    const mods = new Map([...model.namedModules()]);
    expect(mods.get('encoder.layers.0.self_attn')).toBeInstanceOf(QuantMultiheadAttention);
    for (const n of LINEARS) {
      const m = mods.get(n) as QuantLinear;
      const iq = m._input_quantizer;
      const wq = m._weight_quantizer;
      expect([iq.disabled, iq.axis, iq.numBits, wq.disabled, wq.axis, wq.numBits], n).toEqual([false, null, 8, false, 0, 8]);
      expect(iq.amax!.shape, n).toEqual([]);
      expect(iq.amax!.dataSync()[0], n).toBe(Math.fround(seen.get(n)!));
      const w = (m as unknown as { weight?: tf.Tensor; in_proj_weight: tf.Tensor }).weight ?? (m as unknown as { in_proj_weight: tf.Tensor }).in_proj_weight;
      const [rows, cols] = w.shape as [number, number];
      const wd = w.dataSync();
      const rowMax = Array.from({ length: rows }, (_, r) => Math.max(...Array.from(wd.slice(r * cols, (r + 1) * cols), Math.abs)));
      expect(wq.amax!.shape, n).toEqual([rows, 1]);
      expect(Array.from(wq.amax!.dataSync()), n).toEqual(rowMax.map(Math.fround));
    }
    // The attention products' quantizers are not named by INT8_DEFAULT_CFG: 'default' disables them.
    const attn = mods.get('encoder.layers.0.self_attn') as QuantMultiheadAttention;
    for (const q of [attn.q_bmm_quantizer, attn.k_bmm_quantizer, attn.v_bmm_quantizer, attn.softmax_quantizer]) expect(q.disabled).toBe(true);
    expect(printQuantSummary(model).split('\n').at(-1)).toBe('16 TensorQuantizers found in model');
    model.dispose();
    float.dispose();
  });
});

describe('presets', () => {
  it('INT4_AWQ_CFG: int4 block-128 weights, input quantizers off; W4A8: INT4 blocks then FP8, FP8 inputs; FP8: E4M3', () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const awq = quantize(tiny(), INT4_AWQ_CFG, loop);
    const head = (awq as Tiny).head as QuantLinear;
    expect(head._weight_quantizer.numBits).toBe(4);
    expect(head._weight_quantizer.blockSizes).toEqual({ '-1': 128, type: 'static' });
    expect(head._weight_quantizer.amax!.shape).toEqual([5, 1]);
    for (const [n, q] of quantizers(awq)) if (n.endsWith('input_quantizer')) expect(q.disabled, n).toBe(true);
    expect(head._input_quantizer.preQuantScale!.shape).toEqual([32]);
    const w4a8 = quantize(tiny(), W4A8_AWQ_BETA_CFG, loop);
    const wq = ((w4a8 as Tiny).head as QuantLinear)._weight_quantizer as unknown as SequentialQuantizer;
    expect(wq).toBeInstanceOf(SequentialQuantizer);
    expect(wq.quantizers().map((q) => [q.numBits, q.blockSizes !== null])).toEqual([[4, true], [[4, 3], false]]);
    expect(((w4a8 as Tiny).head as QuantLinear)._input_quantizer.isE4M3).toBe(true);
    expect(((w4a8 as Tiny).head as QuantLinear)._input_quantizer.disabled).toBe(false);
    const fp8 = quantize(tiny(), FP8_DEFAULT_CFG, loop);
    expect(((fp8 as Tiny).proj as QuantLinear)._weight_quantizer.isE4M3).toBe(true);
    for (const m of [awq, w4a8, fp8]) {
      expect(tf.tidy(() => Array.from((m.call(batches[0]!) as tf.Tensor).dataSync()).every(Number.isFinite))).toBe(true);
      m.dispose();
    }
  });
});

describe('quantCfg patterns', () => {
  it("'default' first, then every entry in order, the last matching one deciding; nn.<Class> keys; warnings for patterns matching nothing", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const model = quantize(tiny(), {
      quantCfg: {
        '*weight_quantizer': { numBits: 6, axis: 0 },
        '*head*': { enable: false },
        '*head._weight_quantizer': { numBits: 4, axis: 0 },
        'nn.MultiheadAttention': { '*bmm_quantizer': { numBits: 8 } },
        '*no_such_layer*': { enable: false },
        default: { enable: false },
      },
      algorithm: null,
    });
    const q = quantizers(model);
    expect([q.get('proj._weight_quantizer')!.numBits, q.get('proj._weight_quantizer')!.disabled]).toEqual([6, false]);
    expect(q.get('proj._input_quantizer')!.disabled).toBe(true);
    expect(q.get('head._input_quantizer')!.disabled).toBe(true);
    expect([q.get('head._weight_quantizer')!.numBits, q.get('head._weight_quantizer')!.disabled]).toEqual([4, false]);
    expect(q.get('encoder.layers.0.self_attn.q_bmm_quantizer')!.disabled).toBe(false);
    expect(q.get('encoder.layers.0.self_attn.softmax_quantizer')!.disabled).toBe(true);
    expect(warn).toHaveBeenCalledWith("quantize: quantCfg pattern '*no_such_layer*' matches no quantizer");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(disableQuantizer(model, '*proj._weight_quantizer')).toEqual(['proj._weight_quantizer', 'encoder.layers.0.self_attn.out_proj._weight_quantizer']);
    expect(q.get('proj._weight_quantizer')!.disabled).toBe(true);
    expect(enableQuantizer(model, (n) => n === 'proj._weight_quantizer')).toEqual(['proj._weight_quantizer']);
    expect(q.get('proj._weight_quantizer')!.disabled).toBe(false);
    model.dispose();
  });

  it('refuses unknown attributes, { enable: true } alone, bad values, unknown algorithms, a missing loop, re-quantizing', () => {
    const bad = (quantCfg: object, algorithm: unknown = null) => () => quantize(tiny(), { quantCfg, algorithm } as never, loop);
    expect(bad({ '*': { num_bits: 4 } })).toThrow("quantize: quantCfg['*']: unknown option 'num_bits'; did you mean 'numBits'?");
    expect(bad({ '*input_quantizer': { enable: true } })).toThrow("quantCfg['*input_quantizer']: { enable: true } alone is not allowed");
    expect(bad({ '*': { numBits: [5, 2] } })).toThrow("quantCfg['*']: QuantDescriptor: numBits must be an integer or [4, 3] (E4M3)");
    expect(bad({ '*': { numBits: 4, axis: 0, blockSizes: { [-1]: 128 } } })).toThrow('axis must be null when blockSizes is set');
    expect(bad({ '*weight_quantizer': [{ numBits: 4 }, { numBits: 1 }] })).toThrow("quantCfg['*weight_quantizer'][1]: QuantDescriptor: numBits must be an integer in 2..16");
    expect(bad({}, 'gptq')).toThrow("quantize: unknown algorithm 'gptq' (known: max, smoothquant, awq_lite, awq_clip, awq_full, or null)");
    expect(bad({}, { method: 'awq_lite', alpha_step: 0.2 })).toThrow("unknown option 'alpha_step'; did you mean 'alphaStep'?");
    expect(bad({}, { method: 'smoothquant', alpha: 2 })).toThrow("algorithm 'smoothquant': alpha must be in [0, 1], got 2");
    expect(() => quantize(tiny(), INT4_AWQ_CFG)).toThrow("quantize: algorithm 'awq_lite' needs a forwardLoop");
    const model = quantize(tiny(), INT8_DEFAULT_CFG);
    expect(() => quantize(model, INT8_DEFAULT_CFG, loop)).toThrow(/^quantize: the model is already quantized \(\d+ quantizers, e.g. 'proj._input_quantizer'\); quantizing it again is refused/);
    expect(() => (INT8_DEFAULT_CFG.quantCfg as Record<string, unknown>)['*x'] = {}).toThrow(TypeError);
    model.dispose();
  });
});

describe('algorithms on a Transformer', () => {
  it('INT8 SmoothQuant smooths every linear (attention in-projection included) and exports to ONNX with the pre-scale as a Mul', async () => {
    const model = quantize(tiny(), INT8_SMOOTHQUANT_CFG, loop);
    for (const n of LINEARS) expect((new Map([...model.namedModules()]).get(n) as QuantLinear)._input_quantizer.preQuantScale, n).not.toBeNull();
    const bytes = exportOnnx(model, batches[0]!, { dynamicBatch: false });
    expect(graphView(bytes).nodes.filter((n) => n.opType === 'Mul').length).toBeGreaterThanOrEqual(LINEARS.length);
    const [ort] = await runOrt(bytes, [batches[0]!]);
    expect(maxAbsDiff(ort!.data, runPq(model, [batches[0]!])[0]!.data)).toBeLessThanOrEqual(1e-4);
    model.dispose();
  });

  it('awq_full (lite, then clip) runs through attention and feed-forward layers', () => {
    const model = quantize(tiny(), { ...INT4_AWQ_CFG, algorithm: 'awq_full' }, loop);
    expect(((model as Tiny).proj as QuantLinear)._weight_quantizer.amax!.shape).toEqual([32, 1]);
    expect(tf.tidy(() => Array.from((model.call(batches[1]!) as tf.Tensor).dataSync()).every(Number.isFinite))).toBe(true);
    model.dispose();
  });
});

it('TensorQuantizer.descriptor follows setters', () => {
  const q = new TensorQuantizer();
  q.numBits = 4;
  expect(String(q.descriptor)).toBe('QuantDescriptor(4bit fake per-tensor)');
});
