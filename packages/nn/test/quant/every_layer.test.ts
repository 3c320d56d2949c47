// Every quantized layer class: builds, runs forward and backward on a small input, matches its
// float layer when its quantizers are disabled, and reloads its own state dict.
import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { describe, expect, it } from 'vitest';
import * as nn from '@pq/nn';

type Ctor = new (...args: any[]) => nn.Module;
const L = nn as unknown as Record<string, Ctor>;

const CASES: Array<[string, unknown[], number[]]> = [
  ['Linear', [6, 3], [2, 6]],
  ['Conv1d', [2, 3, 3], [2, 2, 7]],
  ['Conv2d', [2, 3, 3, { stride: 2, padding: 1 }], [2, 2, 7, 7]],
  ['Conv3d', [2, 3, 2, { groups: 1 }], [1, 2, 4, 4, 4]],
  ['ConvTranspose1d', [2, 3, 3, { stride: 2, outputPadding: 1 }], [2, 2, 5]],
  ['ConvTranspose2d', [2, 4, 3, { groups: 2 }], [2, 2, 4, 4]],
  ['ConvTranspose3d', [2, 3, 2], [1, 2, 3, 3, 3]],
  ['MaxPool1d', [2], [2, 3, 8]],
  ['MaxPool2d', [2, { stride: 1 }], [2, 3, 5, 5]],
  ['MaxPool3d', [2], [1, 2, 4, 4, 4]],
  ['AvgPool1d', [3, { stride: 2 }], [2, 3, 9]],
  ['AvgPool2d', [2], [2, 3, 6, 6]],
  ['AvgPool3d', [2], [1, 2, 4, 4, 4]],
  ['AdaptiveAvgPool1d', [3], [2, 3, 7]],
  ['AdaptiveAvgPool2d', [[2, 3]], [2, 3, 7, 7]],
  ['AdaptiveAvgPool3d', [2], [1, 2, 5, 5, 5]],
  ['InstanceNorm1d', [3, { affine: true }], [2, 3, 6]],
  ['InstanceNorm2d', [3], [2, 3, 4, 4]],
  ['InstanceNorm3d', [2], [1, 2, 3, 3, 3]],
  ['LSTMCell', [4, 3], [2, 4]],
  ['LSTM', [4, 3, { numLayers: 2 }], [5, 2, 4]],
];

const first = (y: unknown): tf.Tensor => (Array.isArray(y) ? first(y[0]) : (y as tf.Tensor));

describe('every quantized layer', () => {
  for (const [name, args, shape] of CASES) {
    it(`Quant${name}: forward, backward, float when disabled, state reload`, () => {
      nn.manualSeed(3);
      const q = new L[`Quant${name}`]!(...args);
      nn.manualSeed(3);
      const f = new L[name]!(...args);
      expect(q).toBeInstanceOf(L[name]!);
      expect(q.typeName).toBe(`Quant${name}`);
      tf.tidy(() => {
        const x = tf.randomNormal(shape, 0, 1, 'float32', 9);
        const params = q.parameters().filter((p) => p.trainable);
        const grads = tf.grads((xi: tf.Tensor) => tf.sum(first(q.call(xi))))([x, ...params]);
        expect(grads.every((g) => g.shape.length >= 0 && Number.isFinite(tf.sum(g).dataSync()[0]!))).toBe(true);
        for (const quantizer of nn.quantizers(q).values()) quantizer.disable();
        expect(Array.from(first(q.call(x)).dataSync())).toEqual(Array.from(first(f.call(x)).dataSync()));
      });
      const state = q.stateDict();
      q.loadStateDict(state);
      expect(Object.keys(q.stateDict())).toEqual(Object.keys(state));
      q.dispose();
      f.dispose();
    });
  }
});
