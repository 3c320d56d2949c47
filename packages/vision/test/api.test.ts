// The zoo's API: options checked before anything is allocated, torchvision's initialisation
// (and the reference's: its QuantConv2d is no nn.Conv2d, so it keeps PyTorch's default),
// zeroInitResidual, createModel, and no tensor left behind by a build and dispose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, QuantConv2d, TensorQuantizer, manualSeed, quantModules, quantizers, type Module } from '@pq/nn';
import { BasicBlock, Bottleneck, MODEL_NAMES, ResNet, createModel, mobilenet_v2, resnet18, resnext50_32x4d } from '@pq/vision';

function convStats(model: Module, quant: boolean): Array<{ std: number; maxAbs: number; fanIn: number; fanOut: number }> {
  return [...model.namedModules()]
    .filter(([, m]) => m instanceof Conv2d && (m instanceof QuantConv2d) === quant)
    .map(([, m]) => {
      const w = (m as Conv2d).weight;
      const d = w.dataSync();
      const [o, i, kh, kw] = w.shape as [number, number, number, number];
      let sq = 0;
      let maxAbs = 0;
      for (const v of d) {
        sq += v * v;
        maxAbs = Math.max(maxAbs, Math.abs(v));
      }
      return { std: Math.sqrt(sq / d.length), maxAbs, fanIn: i * kh * kw, fanOut: o * kh * kw };
    });
}

// Building models is most of this file's work, and tfjs's cpu backend initialises their weights
// in half the time the wasm backend does (importing @pq/nn makes wasm the default on Node): the
// file runs on cpu whichever backend the file before it in the worker left behind.
let previousBackend: string;
beforeAll(async () => {
  await tf.ready(); // a fresh worker has no backend yet: start the default one, to restore it
  previousBackend = tf.getBackend();
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
});
afterAll(async () => {
  await tf.setBackend(previousBackend);
});

describe('options are refused before anything is allocated', () => {
  it.each([
    [{ num_classes: 10 }, /ResNet: unknown option 'num_classes'; did you mean 'numClasses'\?/],
    [{ numClasses: 0 }, /ResNet: numClasses must be a positive integer, got 0/],
    [{ numClasses: 2.5 }, /option 'numClasses' must be an integer, got 2.5/],
    [{ groups: 2 }, /BasicBlock only supports groups=1 and widthPerGroup=64 \(got 2 and 64\)/],
    [{ replaceStrideWithDilation: [false, false, true] }, /BasicBlock does not support dilation > 1/],
    [{ replaceStrideWithDilation: [true] }, /replaceStrideWithDilation must be 3 booleans/],
    [{ quantize: 'yes' }, /option 'quantize' must be a boolean, got string 'yes'/],
  ])('resnet18(%j)', (o, message) => {
    const before = tf.memory().numTensors;
    expect(() => resnet18(o as never)).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('mobilenet_v2 and createModel name what is wrong', () => {
    expect(() => mobilenet_v2({ width_mult: 0.5 } as never)).toThrow(/MobileNetV2: unknown option 'width_mult'; did you mean 'widthMult'\?/);
    expect(() => mobilenet_v2({ invertedResidualSetting: [[1, 16, 1]] as never })).toThrow(/invertedResidualSetting should be a non-empty list of \[t, c, n, s\]/);
    expect(() => createModel('resnet19' as never)).toThrow(/createModel: unknown model 'resnet19' \(known: resnet18, resnet34, .*mobilenet_v2, vit_b_16, .*vit_tiny\)/);
  });
});

describe('initialisation', () => {
  it("float ResNet: torchvision's kaiming normal (fan_out, relu) convolutions, BN scale 1 and shift 0; zeroInitResidual zeroes each block's last BN scale", () => {
    manualSeed(0);
    const model = resnet18({ numClasses: 10, zeroInitResidual: true });
    for (const s of convStats(model, false)) expect(Math.abs(s.std / Math.sqrt(2 / s.fanOut) - 1)).toBeLessThan(0.1);
    const blocks = [...model.namedModules()].filter(([, m]) => m instanceof BasicBlock) as Array<[string, BasicBlock]>;
    expect(blocks).toHaveLength(8);
    for (const [, b] of blocks) {
      expect(Array.from((b.bn2 as BatchNorm2d).weight!.dataSync()).every((v) => v === 0)).toBe(true);
      expect(Array.from((b.bn1 as BatchNorm2d).weight!.dataSync()).every((v) => v === 1)).toBe(true);
    }
    model.dispose();
  });

  it("quantize: true keeps QuantConv2d's default init (U(±1/sqrt(fan_in))), as the reference; under quantModules.initialize() it is torchvision's", () => {
    manualSeed(1);
    const model = resnet18({ quantize: true, numClasses: 10 });
    const stats = convStats(model, true);
    expect(stats).toHaveLength(20);
    for (const s of stats) expect(s.maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(s.fanIn));
    model.dispose();
    quantModules.initialize();
    try {
      const patched = resnet18({ quantize: true, numClasses: 10 });
      for (const s of convStats(patched, true)) expect(s.maxAbs).toBeGreaterThan(1 / Math.sqrt(s.fanIn));
      patched.dispose();
    } finally {
      quantModules.deactivate();
    }
  });

  it('zeroInitResidual zeroes bn3 in Bottleneck blocks', () => {
    const model = new ResNet(Bottleneck, [1, 1, 1, 1], { numClasses: 10, zeroInitResidual: true });
    for (const [, m] of model.namedModules()) {
      if (m instanceof Bottleneck) expect(Array.from((m.bn3 as BatchNorm2d).weight!.dataSync()).every((v) => v === 0)).toBe(true);
    }
    model.dispose();
  });
});

describe('structure', () => {
  it('a quantized BasicBlock prints its residual quantizer, built from QuantConv2d.defaultQuantDescInput', () => {
    const model = resnet18({ quantize: true, numClasses: 10 });
    const block = model.layer1.at(0) as BasicBlock;
    expect(block.residual_quantizer).toBeInstanceOf(TensorQuantizer);
    expect(block.residual_quantizer!.numBits).toBe(QuantConv2d.defaultQuantDescInput.numBits);
    expect(block.residual_quantizer!.axis).toBe(null);
    expect(String(block)).toContain('(residual_quantizer): TensorQuantizer(');
    expect((model.layer2.at(0) as BasicBlock).downsample).not.toBeNull();
    expect((model.layer1.at(0) as BasicBlock).downsample).toBeNull();
    model.dispose();
  });

  it('resnext50_32x4d: 32 groups of 4 channels per 64 in its 3x3 convolutions', () => {
    const before = tf.memory().numTensors;
    const model = resnext50_32x4d({ numClasses: 10 });
    const conv2 = (model.layer1.at(0) as Bottleneck).conv2;
    expect([conv2.groups, conv2.inChannels, conv2.outChannels]).toEqual([32, 128, 128]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('createModel builds every model of the zoo by name, quantized as the reference flow does', () => {
    expect(MODEL_NAMES).toEqual([
      'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d', 'resnext101_32x8d', 'wide_resnet50_2', 'wide_resnet101_2', 'mobilenet_v2',
      'vit_b_16', 'vit_b_32', 'vit_l_16', 'vit_l_32', 'vit_h_14', 'vit_tiny',
    ]);
    const r = createModel('resnet18', { numClasses: 10, quantize: true });
    expect([...quantizers(r).keys()].filter((k) => k.endsWith('residual_quantizer'))).toHaveLength(8);
    r.dispose();
    const m = createModel('mobilenet_v2', { numClasses: 10, quantize: true });
    expect(quantizers(m).size).toBe(106);
    expect(quantModules.active).toBe(false);
    m.dispose();
  });
});
