// pq's VisionTransformer against torchvision 0.14's (test/fixtures/make_vit.py, same seeded
// weights and input): the state-dict keys and shapes in torchvision's order, the float eval
// output within 1e-4, the builders' architectures; torchvision's initialisation; options
// refused by name; a training step on the accelerated path; ModelOpt-style quantization of
// vit_tiny (INT8_DEFAULT_CFG, INT4_AWQ_CFG); the float ONNX export in ONNX Runtime.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import ort from 'onnxruntime-node';
import {
  F, INT4_AWQ_CFG, INT8_DEFAULT_CFG, LayerNorm, Linear, QuantConv2d, QuantLinear, QuantMultiheadAttention, TensorQuantizer,
  decodeOnnx, disableAcceleration, enableAcceleration, exportOnnx, manualSeed, quantize, quantModules, type Module,
} from '@pq/nn';
import { VIT_ARCHS, VIT_TINY_DEFAULTS, VisionTransformer, createModel, vit_b_16, vit_tiny, type VisionTransformerOptions } from '@pq/vision';
import { maxAbsDiff, run, SHAPE } from './reference.js';
import { seedModel, seededInput, seededValue, uniform } from './seeded.js';

interface Case { options: Record<string, number>; keys: Array<[string, number[]]>; float: { data: number[] } }
interface Expected {
  tiny: Case;
  preLogits: Case;
  archs: Record<string, Record<string, number>>;
  vit_b_16: Array<[string, number[]]>;
}
const expected = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'vit.expected.json'), 'utf8')) as Expected;

/** make_vit.py's vit_value: seeded.value, plus the attention's packed projection, the class token and the position embedding. */
function vitValue(key: string, shape: readonly number[]): Float32Array | null {
  const v = seededValue(key, shape);
  if (v !== null) return v;
  const u = uniform(key, shape.reduce((a, b) => a * b, 1));
  const leaf = key.slice(key.lastIndexOf('.') + 1);
  const scale = leaf === 'in_proj_weight' ? Math.fround(1 / Math.sqrt(shape[1]!)) : leaf === 'in_proj_bias' ? Math.fround(0.1) : 0.5;
  return u.map((x) => x * scale);
}

/** torchvision's snake_case options as pq's. */
function optionsOf(c: Case): VisionTransformerOptions {
  const camel = (k: string) => k.replace(/_(\w)/g, (_, ch: string) => ch.toUpperCase());
  return Object.fromEntries(Object.entries(c.options).map(([k, v]) => [camel(k), v]));
}

const keysOf = (m: Module): Array<[string, number[]]> => Object.entries(m.stateDict()).map(([k, v]) => [k, [...v.shape]]);

beforeAll(async () => {
  await enableAcceleration();
});
afterAll(() => disableAcceleration());

describe('against torchvision 0.14', () => {
  it.each(['tiny', 'preLogits'] as const)('%s: the same state-dict keys and shapes in order, the float eval output within 1e-4', (name) => {
    const c = expected[name];
    const model = new VisionTransformer(optionsOf(c));
    expect(keysOf(model)).toEqual(c.keys);
    seedModel(model, vitValue);
    model.eval();
    expect(maxAbsDiff(run(model), c.float.data)).toBeLessThan(1e-4);
    model.dispose();
  });

  it("vit_tiny's defaults are the tiny case; the builders' architectures are torchvision's; vit_b_16's keys and shapes", () => {
    expect(optionsOf(expected.tiny)).toEqual(VIT_TINY_DEFAULTS);
    for (const [name, arch] of Object.entries(expected.archs)) {
      expect(VIT_ARCHS[name as keyof typeof VIT_ARCHS], name).toEqual({
        patchSize: arch.patch_size, numLayers: arch.num_layers, numHeads: arch.num_heads, hiddenDim: arch.hidden_dim, mlpDim: arch.mlp_dim,
      });
    }
    // Building all 86M parameters takes seconds: one block of vit_b_16's shape stands for the
    // twelve, whose keys differ only in the block index.
    const oneBlock = new VisionTransformer({ ...VIT_ARCHS.vit_b_16, numLayers: 1 });
    const block = (k: string) => k.replace(/encoder_layer_\d+/, 'encoder_layer_N');
    const want = expected.vit_b_16.map(([k, s]) => [block(k), s] as [string, number[]]);
    const unique = want.filter(([k], i) => want.findIndex(([j]) => j === k) === i);
    expect(keysOf(oneBlock).map(([k, s]) => [block(k), s])).toEqual(unique);
    expect(expected.vit_b_16.filter(([k]) => k.endsWith('ln_1.weight'))).toHaveLength(12);
    oneBlock.dispose();
  });
});

describe('initialisation and options', () => {
  it("torchvision's: zero head and class token, N(0, 0.02^2) position embedding, truncated-normal patch projection, xavier MLP with ~0 biases", () => {
    manualSeed(1);
    const m = vit_tiny();
    const values = (v: tf.Tensor) => Array.from(v.dataSync());
    const std = (a: number[]) => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);
    const head = m.heads.head;
    expect(values(head.weight).every((v) => v === 0) && values(head.bias!).every((v) => v === 0)).toBe(true);
    expect(values(m.class_token).every((v) => v === 0)).toBe(true);
    expect(std(values(m.encoder.pos_embedding)) / 0.02).toBeCloseTo(1, 1);
    expect(std(values(m.conv_proj.weight)) / Math.sqrt(1 / 48)).toBeCloseTo(1, 1);
    const block = m.encoder.layers.encoder_layer_0!;
    const fc1 = block.mlp.children().next().value![1] as Linear;
    expect(Math.max(...values(fc1.bias!).map(Math.abs))).toBeLessThan(1e-5);
    expect(Math.max(...values(fc1.weight).map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / (64 + 128)));
    expect((block.ln_1 as LayerNorm).eps).toBe(1e-6);
    m.dispose();
  });

  it('refuses bad options and inputs by name, before allocating anything', () => {
    const before = tf.memory().numTensors;
    expect(() => vit_tiny({ patchSize: 5 })).toThrow(/VisionTransformer: imageSize \(32\) must be divisible by patchSize \(5\)/);
    expect(() => vit_tiny({ numHeads: 3 })).toThrow(/hiddenDim \(64\) must be divisible by numHeads \(3\)/);
    expect(() => vit_tiny({ hidden_dim: 32 } as never)).toThrow(/vit_tiny: unknown option 'hidden_dim'; did you mean 'hiddenDim'\?/);
    expect(() => vit_tiny({ dropout: 2 })).toThrow(/dropout must be a probability in \[0, 1\], got 2/);
    expect(() => vit_b_16({ numLayers: 2 } as never)).toThrow(/vit_b_16: unknown option 'numLayers'/);
    expect(() => vit_b_16({ numClasses: 0 })).toThrow(/numClasses must be a positive integer, got 0/);
    expect(tf.memory().numTensors).toBe(before);
    const m = vit_tiny();
    expect(() => m.call(tf.zeros([1, 3, 28, 28]))).toThrow(/expected images \[N, 3, 32, 32\], got \[1, 3, 28, 28\]/);
    m.dispose();
  });

  it("createModel('vit_tiny', { quantize: true }) builds quantized patch projection, attention and linear layers", () => {
    const m = createModel('vit_tiny', { quantize: true, numLayers: 1 });
    const classes = new Set([...m.namedModules()].map(([, x]) => x.constructor.name));
    expect([QuantConv2d, QuantLinear, QuantMultiheadAttention].every((c) => classes.has(c.name))).toBe(true);
    expect(quantModules.active).toBe(false);
    m.dispose();
  });
});

describe('vit_tiny training and quantization', () => {
  const labels = tf.tensor1d([3, 1], 'int32');
  afterAll(() => labels.dispose());

  it('a training step on the accelerated path: every parameter gets a finite gradient, the loss falls, memory stays flat', () => {
    const model = vit_tiny({ numLayers: 2 });
    seedModel(model, vitValue);
    model.train();
    const x = seededInput('train.x', SHAPE);
    const loss = (): tf.Scalar => F.crossEntropy(model.call(x) as tf.Tensor, labels) as tf.Scalar;
    const optimizer = tf.train.sgd(0.05);
    const params = model.parameters();
    const step = (): number => {
      const { value, grads } = tf.variableGrads(loss, params);
      const nonZero = Object.values(grads).filter((g) => {
        const d = g.dataSync();
        expect(d.every(Number.isFinite)).toBe(true);
        return d.some((v) => v !== 0);
      }).length;
      expect(nonZero).toBe(params.length);
      optimizer.applyGradients(grads);
      const l = value.dataSync()[0]!;
      tf.dispose([value, ...Object.values(grads)]);
      return l;
    };
    const first = step();
    const tensors = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.tidy(() => loss().dataSync()[0]!)).toBeLessThan(first);
    optimizer.dispose();
    x.dispose();
    model.dispose();
  });

  /** Every quantizer of each Linear-like layer, by layer path. */
  function linearQuantizers(model: Module): Array<[string, TensorQuantizer, TensorQuantizer]> {
    return [...model.namedModules()]
      .filter(([, m]) => m instanceof QuantLinear || m instanceof QuantMultiheadAttention)
      .map(([path, m]) => {
        const q = m as unknown as { _input_quantizer: TensorQuantizer; _weight_quantizer: TensorQuantizer };
        return [path, q._input_quantizer, q._weight_quantizer];
      });
  }

  it('quantize(vit_tiny, INT8_DEFAULT_CFG, loop): per-tensor inputs and per-channel weights on every linear layer, amax the max seen', () => {
    const model = vit_tiny({ numLayers: 1 });
    seedModel(model, vitValue);
    const batches = ['calib.0', 'calib.1'].map((k) => seededInput(k, SHAPE));
    // The heads' input is the class token's encoder output: its max over the loop, in float.
    let headMax = 0;
    model.eval();
    for (const b of batches) tf.tidy(() => {
      const out = model.encoder.call(F.cat([F.expand(model.class_token, [2, -1, -1]), model.processInput(b)], 1)) as tf.Tensor;
      headMax = Math.max(headMax, ...Array.from(F.select(out, 1, 0).dataSync(), Math.abs));
    });
    quantize(model, INT8_DEFAULT_CFG, (m) => batches.forEach((b) => tf.tidy(() => m.call(b))));
    const layers = linearQuantizers(model);
    expect(layers.map(([p]) => p)).toEqual([
      'encoder.layers.encoder_layer_0.self_attention', 'encoder.layers.encoder_layer_0.self_attention.out_proj',
      'encoder.layers.encoder_layer_0.mlp.0', 'encoder.layers.encoder_layer_0.mlp.3', 'heads.head',
    ]);
    for (const [path, input, weight] of layers) {
      expect(input.disabled || weight.disabled, path).toBe(false);
      expect(input.amax!.size, path).toBe(1);
      expect(weight.amax!.shape[0], path).toBe(weight.amax!.size);
    }
    // heads.head: the input amax is the largest |x| the loop fed it (float LN output: same math).
    expect(layers[4]![1].amax!.dataSync()[0]).toBeCloseTo(headMax, 5);
    const headWeight = model.heads.head.weight;
    const rowMax = tf.tidy(() => tf.max(tf.abs(headWeight), 1).dataSync());
    expect(Array.from(layers[4]![2].amax!.dataSync())).toEqual(Array.from(rowMax));
    batches.forEach((b) => b.dispose());
    model.dispose();
  });

  it('quantize(vit_tiny, INT4_AWQ_CFG, loop): 4-bit weights in blocks of 128 along the input, input quantizers off', () => {
    const model = vit_tiny({ numLayers: 1 });
    seedModel(model, vitValue);
    const batch = seededInput('calib.0', SHAPE);
    quantize(model, INT4_AWQ_CFG, (m) => tf.tidy(() => m.call(batch)));
    for (const [path, input, weight] of linearQuantizers(model)) {
      expect(input.disabled, path).toBe(true);
      expect([weight.numBits, weight.blockSizes?.[-1]], path).toEqual([4, 128]);
      // [out, ceil(in / 128)]: the 64- and 128-wide inputs are one block per row.
      expect(weight.amax!.shape[1], path).toBe(1);
    }
    batch.dispose();
    model.dispose();
  });
});

describe('ONNX export', () => {
  it('float vit_tiny in ONNX Runtime: within 1e-4 of pq, at another batch size than the sample', async () => {
    const model = vit_tiny({ numLayers: 2 });
    seedModel(model, vitValue);
    model.eval();
    const bytes = exportOnnx(model, seededInput('input', [1, 3, 32, 32]), { opset: 17 });
    const x = seededInput('input', [3, 3, 32, 32]);
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'basic' });
    const result = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.dataSync()), [3, 3, 32, 32]) });
    await session.release();
    const ours = tf.tidy(() => (model.call(x) as tf.Tensor).dataSync());
    expect(result.output!.dims).toEqual([3, 10]);
    expect(maxAbsDiff(result.output!.data as Float32Array, ours)).toBeLessThan(1e-4);
    x.dispose();
    model.dispose();
  });

  /** ORT's and pq's outputs on `x`, the largest difference and the argmax agreement where pq's top-2 margin exceeds `margin`. */
  async function compareOrt(model: Module, bytes: Uint8Array, x: tf.Tensor, margin: number): Promise<{ diff: number; agreed: number; sure: number }> {
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'basic' });
    const result = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.dataSync()), x.shape) });
    await session.release();
    const theirs = result.output!.data as Float32Array;
    const ours = tf.tidy(() => (model.call(x) as tf.Tensor).dataSync());
    const classes = 10;
    let agreed = 0;
    let sure = 0;
    for (let i = 0; i < x.shape[0]!; i++) {
      const row = Array.from(ours.subarray(i * classes, (i + 1) * classes));
      const other = Array.from(theirs.subarray(i * classes, (i + 1) * classes));
      const top = [...row].sort((a, b) => b - a);
      if (top[0]! - top[1]! <= margin) continue;
      sure++;
      if (other.indexOf(Math.max(...other)) === row.indexOf(top[0]!)) agreed++;
    }
    return { diff: maxAbsDiff(theirs, ours), agreed, sure };
  }

  it('W4A16 (INT4_AWQ_CFG) and INT8 vit_tiny at opset 21: INT4 weights + block DequantizeLinear / Q/DQ pairs; ORT gives pq\'s argmax', async () => {
    const calib = seededInput('calib.0', [8, 3, 32, 32]);
    const x = seededInput('input', [16, 3, 32, 32]);
    for (const cfg of [INT4_AWQ_CFG, INT8_DEFAULT_CFG]) {
      const model = vit_tiny({ numLayers: 2 });
      seedModel(model, vitValue);
      model.eval();
      quantize(model, cfg, (m) => tf.tidy(() => m.call(calib)));
      const bytes = exportOnnx(model, seededInput('input', [1, 3, 32, 32]), { opset: 21 });
      const { graph } = decodeOnnx(bytes);
      const ops = graph.node.map((n) => n.opType);
      const int4 = graph.initializer.filter((t) => t.dataType === 22).map((t) => t.name);
      if (cfg === INT4_AWQ_CFG) {
        // Every weight is INT4: 4 per block (the attention's packed projection too), the head,
        // and the patch projection (its blocks run along the kernel's last axis).
        expect(int4).toHaveLength(2 * 4 + 2);
        expect(int4).toContain('encoder.layers.encoder_layer_0.self_attention.in_proj_weight');
        expect(int4).toContain('conv_proj.weight');
        expect(ops.filter((o) => o === 'DequantizeLinear')).toHaveLength(10);
        expect(ops).not.toContain('QuantizeLinear');
        // Float rounding only: as app-kit's ONNX_DIFF_TOLERANCE says for a float graph.
        const { diff, agreed, sure } = await compareOrt(model, bytes, x, 2e-4);
        expect(diff).toBeLessThan(1e-4);
        expect([agreed, sure]).toEqual([16, 16]);
      } else {
        expect(int4).toHaveLength(0);
        expect(ops.filter((o) => o === 'QuantizeLinear').length).toBe(ops.filter((o) => o === 'DequantizeLinear').length);
        // An activation at a rounding tie may land one int8 step apart and move the logits by
        // about 1e-3; images whose top two logits are further apart than 1e-2 keep their class.
        const { agreed, sure } = await compareOrt(model, bytes, x, 1e-2);
        expect(sure).toBeGreaterThanOrEqual(12);
        expect(agreed).toBe(sure);
      }
      model.dispose();
    }
    calib.dispose();
    x.dispose();
  });
});
