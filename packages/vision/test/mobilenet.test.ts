// pq's mobilenet_v2 against torchvision 0.14's (test/fixtures/make_mobilenet.py): the same
// state-dict keys and float eval output within 1e-4 from the same seeded weights; quantized as
// the reference's classification flow quantizes torchvision models (quantModules.initialize()
// around the constructor, or replaceWithQuant after it): the reference's keys before and after
// max calibration, every amax to float32 rounding, the quantized output bit for bit on the grid
// weights, and its ONNX export (Q/DQ) computing the same in ONNX Runtime.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpointFile } from '@pq/nn/node';
import { BatchNorm2d, Conv2d, Linear, ReLU6, decodeOnnx, disableAcceleration, enableAcceleration, quantModules, quantizers, replaceWithQuant, type Module } from '@pq/nn';
import { MobileNetV2, mobilenet_v2, makeDivisible } from '@pq/vision';
import { GRID_EPS, gridValue, seedModel, seededValue } from './seeded.js';
import {
  exportAndRun, expectAmax, expectGridWeightAmax, floatOutput, loadRoundedAmax, maxAbsDiff, maxCalibrate, run, type Arr,
} from './reference.js';

interface Expected {
  keys: string[];
  float: Arr;
  quantKeys: string[];
  checkpoint: { file: string; widthMult: number; output: Arr };
  grid: { float: Arr; calibratedKeys: string[]; amax: Record<string, Arr>; roundedAmax: Record<string, number>; quantized: Arr };
}
const expected = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'mobilenet.expected.json'), 'utf8')) as Expected;

beforeAll(async () => {
  await enableAcceleration();
});
afterAll(() => disableAcceleration());

describe('mobilenet_v2({ numClasses: 10 })', () => {
  it("torchvision's structure, names and float output from the same weights (within 1e-4)", () => {
    const model = mobilenet_v2({ numClasses: 10 });
    expect(Object.keys(model.stateDict())).toEqual(expected.keys);
    expect(model.features.length).toBe(19);
    expect([...model.namedModules()].filter(([, m]) => m instanceof ReLU6)).toHaveLength(35);
    expect(quantizers(model).size).toBe(0);
    seedModel(model, seededValue);
    model.eval();
    expect(maxAbsDiff(run(model), expected.float.data)).toBeLessThan(1e-4);
    model.dispose();
  });

  it("replaceWithQuant quantizes the same layers as quantModules.initialize(): every convolution and the classifier", () => {
    const model = mobilenet_v2({ numClasses: 10 });
    const replaced = replaceWithQuant(model);
    expect(replaced).toHaveLength(53);
    expect(replaced.at(-1)).toBe('classifier.1');
    expect(Object.keys(model.stateDict())).toEqual(expected.quantKeys);
    model.dispose();
  });

  it('loads a torchvision checkpoint written by torch.save (widthMult 0.1) and computes its output', async () => {
    const model = mobilenet_v2({ numClasses: 10, widthMult: expected.checkpoint.widthMult });
    const dict = await loadCheckpointFile(join(import.meta.dirname, 'fixtures', expected.checkpoint.file));
    expect(dict['features.1.conv.0.1.num_batches_tracked']!.data[0]).toBe(3);
    const tensors = tf.memory().numTensors;
    model.loadStateDict(dict);
    model.loadStateDict(dict);
    expect(tf.memory().numTensors).toBe(tensors);
    model.eval();
    expect(maxAbsDiff(run(model), expected.checkpoint.output.data)).toBeLessThan(1e-4);
    model.dispose();
  });

  it('makeDivisible rounds channels as torchvision does', () => {
    expect([makeDivisible(32 * 0.75, 8), makeDivisible(1280 * 1.4, 8), makeDivisible(16 * 0.35, 8), makeDivisible(91, 8)]).toEqual([24, 1792, 8, 88]);
  });
});

describe('mobilenet_v2 built under quantModules.initialize(), on the grid weights', () => {
  let model: MobileNetV2;
  let quantized: Float32Array;
  beforeAll(() => {
    quantModules.initialize();
    try {
      model = mobilenet_v2({ numClasses: 10, normLayer: (c) => new BatchNorm2d(c, { eps: GRID_EPS }) });
    } finally {
      quantModules.deactivate();
    }
    seedModel(model, gridValue);
    model.eval();
  });
  afterAll(() => model.dispose());

  it("has the reference's keys and layers: no float Conv2d or Linear left", () => {
    expect(Object.keys(model.stateDict())).toEqual(expected.quantKeys);
    const float = [...model.namedModules()].filter(([, m]) => (m instanceof Conv2d || m instanceof Linear) && !('_input_quantizer' in m));
    expect(float).toEqual([]);
    expect(quantizers(model).size).toBe(2 * 53);
  });

  it('float output, then max calibration as the reference: the same keys, every amax to float32 rounding', () => {
    expect(maxAbsDiff(floatOutput(model), expected.grid.float.data)).toBeLessThan(1e-4);
    const state = maxCalibrate(model);
    expect(Object.keys(state)).toEqual(expected.grid.calibratedKeys);
    expectAmax(state, expected.grid.amax);
    expectGridWeightAmax(state);
  });

  it("with the amax rounded to powers of two, the quantized output is bit for bit the reference's, and so is ONNX Runtime's", async () => {
    loadRoundedAmax(model, expected.grid.roundedAmax);
    quantized = run(model);
    expect(Array.from(quantized)).toEqual(expected.grid.quantized.data);
    const { bytes, output } = await exportAndRun(model);
    const ops = (decodeOnnx(bytes).graph!.node ?? []).map((n) => n.opType);
    expect(ops.filter((op) => op === 'QuantizeLinear')).toHaveLength(2 * 53);
    expect(ops.filter((op) => op === 'Clip')).toHaveLength(35);
    expect(Array.from(output)).toEqual(Array.from(quantized));
  });
});
