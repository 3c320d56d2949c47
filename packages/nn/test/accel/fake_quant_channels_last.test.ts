// A quantized convolution's weight fake quantization fused with its layout change to tfjs's
// (accel/fake_quant_swap.ts) computes transpose(fakeQuant(w)) and its gradient bit for bit: the
// op against the two ops it replaces on the wasm path with the native kernels, and the quantized
// conv layers against their unfused forward (a module-call hook, as the ONNX tracer installs,
// makes them call the weight quantizer). Which path ran is read from tfjs's profile (async, so
// the layer cases enable acceleration around it themselves).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { QuantDescriptor, jsKernels } from '@pq/core';
import { nativeUnavailableReason } from '@pq/kernels-native';
import { disableAcceleration, enableAcceleration } from './../../src/accel/index.js';
import { fakeQuantChannelsLast, PqFakeQuantChannelsLast } from './../../src/accel/fake_quant_swap.js';
import { nativeKernels } from './../../src/accel/native_provider.js';
import { fakeQuant, type FakeQuantOptions } from './../../src/ops/fake_quant.js';
import { setModuleCallHook } from './../../src/hooks.js';
import { QuantConv1d, QuantConv2d, QuantConv3d } from './../../src/quant/conv.js';
import type { Module } from './../../src/module.js';
import { SequentialQuantizer } from './../../src/model_quant/sequential_quantizer.js';
import { mismatches, onAccelerated, onStockCpu, randomArray, rng } from './helpers.js';

/** Weights with ties (x·scale on a half), values past amax, NaN, -0 and infinities. */
function weight(shape: number[], seed: number): tf.Tensor {
  const next = rng(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  const data = randomArray(n, next, 1.5).map((v, i) => {
    if (i % 41 === 0) return Number.NaN;
    if (i % 43 === 0) return -0;
    if (i % 47 === 0) return i % 2 === 0 ? Infinity : -Infinity;
    if (i % 7 === 0) return (Math.round(v * 8) + 0.5) / 16; // ties at scale 16
    return v;
  });
  return tf.tensor(data, shape);
}

function channelsLastPerm(rank: number): number[] {
  return [...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1, 0];
}

/** Output and the gradient of sum(f(w)·dy) for w, as plain arrays (tensors disposed). */
function withGrad(w: tf.Tensor, f: (v: tf.Tensor) => tf.Tensor, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const y = f(w);
    const dy = tf.tensor(randomArray(y.size, rng(seed)), y.shape);
    const dw = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), dy)))(w);
    return [Float32Array.from(y.dataSync()), Float32Array.from(dw.dataSync())];
  });
}

function profiledKernels(f: () => void): Promise<string[]> {
  return tf.profile(f).then((p) => p.kernelNames);
}

const opCases: Array<[string, number[], 'scalar' | 'number' | 'channel', FakeQuantOptions]> = [
  ['3x3, amax per output channel', [16, 5, 3, 3], 'channel', {}],
  ['3x3 off the 8-lane blocks, 4 bits', [13, 3, 3, 3], 'channel', { numBits: 4 }],
  ['depthwise [C, 1, 3, 3], one amax tensor', [24, 1, 3, 3], 'scalar', {}],
  ['1x1, amax as a number, wide range', [20, 9, 1, 1], 'number', { narrowRange: false }],
  ['1-d [O, I, 5]', [9, 4, 5], 'channel', {}],
  ['3-d [O, I, 2, 2, 2]', [10, 3, 2, 2, 2], 'channel', { numBits: 6 }],
];

describe.runIf(nativeUnavailableReason() === null)('fakeQuantChannelsLast', () => {
  it.each(opCases)('%s: transpose(fakeQuant(w)) and its gradient, bit for bit', async (_, shape, kind, o) => {
    await onAccelerated('wasm', () => {
      expect(nativeKernels()).not.toBeNull();
      const before = tf.memory().numTensors;
      const w = weight(shape, shape[0]!);
      const amax =
        kind === 'number' ? 0.75 : kind === 'scalar' ? tf.scalar(0.75) : tf.tensor(Float32Array.from({ length: shape[0]! }, (_, i) => (i % 3 === 0 ? 127 / 16 : 0.5 + i / 20)), [shape[0]!, ...shape.slice(1).map(() => 1)]);
      const fused = withGrad(w, (v) => fakeQuantChannelsLast(v, amax, o)!, 7);
      const unfused = withGrad(w, (v) => tf.transpose(fakeQuant(v, amax, o), channelsLastPerm(shape.length)), 7);
      expect(mismatches(fused[0]!, unfused[0]!), 'y').toEqual([]);
      expect(mismatches(fused[1]!, unfused[1]!), 'dw').toEqual([]);
      expect(fused[1]!.some((v) => Object.is(v, 0)), 'some gradient masked').toBe(true);
      tf.dispose([w, ...(typeof amax === 'number' ? [] : [amax])]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('steps aside where it does not apply: unsigned, amax along another axis, custom kernels, the stock backends', async () => {
    await onAccelerated('wasm', () => {
      tf.tidy(() => {
        const w = weight([8, 4, 3, 3], 1);
        expect(fakeQuantChannelsLast(w, 1, { unsigned: true })).toBeNull();
        expect(fakeQuantChannelsLast(w, tf.ones([1, 4, 1, 1]))).toBeNull();
        expect(fakeQuantChannelsLast(w, tf.ones([8, 1, 3, 3]))).toBeNull();
        expect(fakeQuantChannelsLast(tf.ones([8, 4]), 1)).toBeNull();
        expect(fakeQuantChannelsLast(w, 1, { kernels: { ...jsKernels } })).toBeNull();
        expect(() => fakeQuantChannelsLast(w, -1)).toThrow(/amax/);
      });
    });
    await onStockCpu(() => {
      tf.tidy(() => {
        expect(fakeQuantChannelsLast(weight([8, 4, 3, 3], 1), 1)).toBeNull();
      });
    });
  });
});

type LayerCase = [string, () => Module, number[]];

const perTensor = new QuantDescriptor({ numBits: 8 });
const layerCases: LayerCase[] = [
  ['QuantConv2d 3x3 on 14x14 (channels first)', () => new QuantConv2d(8, 12, 3, { padding: 1 }), [2, 8, 14, 14]],
  ['QuantConv2d 3x3 stride 2 (channels last)', () => new QuantConv2d(8, 12, 3, { stride: 2, padding: 1 }), [2, 8, 9, 9]],
  ['QuantConv2d depthwise', () => new QuantConv2d(16, 16, 3, { padding: 1, groups: 16 }), [2, 16, 14, 14]],
  ['QuantConv2d 3x3 on 1x1 maps (taps cut)', () => new QuantConv2d(8, 8, 3, { padding: 1 }), [3, 8, 1, 1]],
  ['QuantConv2d dilation 2, per-tensor weight', () => new QuantConv2d(6, 10, 3, { padding: 2, dilation: 2, quantDescWeight: perTensor }), [2, 6, 8, 8]],
  ['QuantConv2d reflect padding, grouped', () => new QuantConv2d(8, 12, 3, { padding: 1, groups: 2, paddingMode: 'reflect' }), [2, 8, 7, 7]],
  ['QuantConv1d', () => new QuantConv1d(5, 7, 3, { padding: 1 }), [2, 5, 11]],
  ['QuantConv3d', () => new QuantConv3d(3, 4, 2), [1, 3, 4, 4, 4]],
];

/** The layer's output and the gradients of sum(y·dy) for x, weight and bias. */
function layerStep(m: Module & { weight: tf.Variable; bias: tf.Variable | null }, x: tf.Tensor, dy: tf.Tensor): Float32Array[] {
  const vars = [m.weight, m.bias!];
  return tf.tidy(() => {
    const y = m.call(x) as tf.Tensor;
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(m.call(x) as tf.Tensor, dy)) as tf.Scalar, vars);
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(m.call(v) as tf.Tensor, dy)))(x);
    value.dispose();
    return [y, dx, grads[m.weight.name]!, grads[m.bias!.name]!].map((t) => Float32Array.from(t.dataSync()));
  });
}

describe.runIf(nativeUnavailableReason() === null)('quantized conv layers with the fused weight quantization', () => {
  it.each(layerCases)('%s: output and gradients as the unfused forward, bit for bit', async (_, make, xShape) => {
    await enableAcceleration({ backend: 'wasm' });
    try {
      const m = make() as Module & { weight: tf.Variable; bias: tf.Variable | null; _weight_quantizer: { amax: unknown } };
      // A calibrated-style weight amax below the largest |w| (some weights clipped, their gradient masked).
      const wmax = tf.tidy(() => tf.max(tf.abs(m.weight)).dataSync()[0]!);
      m._weight_quantizer.amax = 0.8 * wmax;
      const before = tf.memory().numTensors;
      const x = tf.tensor(randomArray(xShape.reduce((p, d) => p * d, 1), rng(3), 2), xShape);
      const dy = tf.tidy(() => tf.randomNormal((m.call(x) as tf.Tensor).shape, 0, 1, 'float32', 5));
      const fused = layerStep(m, x, dy);
      const fusedKernels = await profiledKernels(() => tf.dispose(m.call(x) as tf.Tensor));
      const previous = setModuleCallHook((_m, _args, run) => run());
      let unfused: Float32Array[];
      let unfusedKernels: string[];
      try {
        unfused = layerStep(m, x, dy);
        unfusedKernels = await profiledKernels(() => tf.dispose(m.call(x) as tf.Tensor));
      } finally {
        setModuleCallHook(previous);
      }
      expect(fusedKernels).toContain(PqFakeQuantChannelsLast);
      expect(unfusedKernels).not.toContain(PqFakeQuantChannelsLast);
      ['y', 'dx', 'dw', 'db'].forEach((name, i) => expect(mismatches(fused[i]!, unfused[i]!), name).toEqual([]));
      expect(fused[2]!.some((v) => Object.is(v, 0)), 'some weight gradient masked').toBe(true);
      tf.dispose([x, dy]);
      expect(tf.memory().numTensors).toBe(before);
      m.dispose();
    } finally {
      disableAcceleration();
    }
  });
});

describe('quantized conv layers with another weight quantizer module', () => {
  it('run it as written: a SequentialQuantizer (ModelOpt W4A8-style) in _weight_quantizer', async () => {
    await enableAcceleration({ backend: 'wasm' });
    try {
      const m = new QuantConv2d(8, 12, 3, { padding: 1 });
      const single = m._weight_quantizer;
      const x = tf.tensor(randomArray(2 * 8 * 14 * 14, rng(4), 2), [2, 8, 14, 14]);
      const want = tf.tidy(() => m.call(x) as tf.Tensor);
      (m as unknown as { _weight_quantizer: Module })._weight_quantizer = new SequentialQuantizer([single]);
      const got = tf.tidy(() => m.call(x) as tf.Tensor);
      expect(mismatches(got.dataSync(), want.dataSync())).toEqual([]);
      tf.dispose([x, want, got]);
      m.dispose();
    } finally {
      disableAcceleration();
    }
  });
});
