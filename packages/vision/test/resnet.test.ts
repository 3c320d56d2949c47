// pq's ResNets against the reference itself: pytorch-quantization's resnet.py (quantize=True,
// num_classes=10) run by test/fixtures/make_resnet.py with the same seeded weights and inputs
// (test/seeded.ts = test/fixtures/seeded.py): the same state-dict keys before and after
// calibration, the float eval output within 1e-4, every `_amax` after max calibration on the
// same batches (weights, inputs, residual quantizers) equal to float32 rounding, and the
// quantized eval output bit for bit on the grid weights, where every sum is exact (see the
// script: elsewhere a value at a rounding boundary may move one step and spread). The grid
// model also exports to ONNX with Q/DQ pairs, residual quantizers before each Add, and ONNX
// Runtime computes the same output bit for bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchNorm2d, decodeOnnx, disableAcceleration, enableAcceleration, quantizers, type Module } from '@pq/nn';
import { Bottleneck, RESNET_ARCHS, ResNet, resnet18, resnet50, type ResNetOptions } from '@pq/vision';
import { GRID_EPS, gridValue, seedModel, seededValue } from './seeded.js';
import {
  exportAndRun, expectAmax, expectGridWeightAmax, floatOutput, loadRoundedAmax, maxAbsDiff, maxCalibrate, run, type Arr,
} from './reference.js';

interface Calibrated { float: Arr; calibratedKeys: string[]; amax: Record<string, Arr> }
interface Expected {
  models: Record<string, { keys: string[]; seeded?: Calibrated; grid: Calibrated & { roundedAmax: Record<string, number>; quantized: Arr } }>;
  archs: Record<string, { block: string; layers: number[]; groups?: number; widthPerGroup?: number }>;
  groupedDilated: { shapes: Record<string, number[]>; float: Arr };
}
const expected = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'resnet.expected.json'), 'utf8')) as Expected;

beforeAll(async () => {
  await enableAcceleration();
});
afterAll(() => disableAcceleration());

describe.each([
  ['resnet18', resnet18, 8],
  ['resnet50', resnet50, 16],
] as const)('%s({ quantize: true, numClasses: 10 }) against the reference', (arch, build: (o: ResNetOptions) => Module, blocks) => {
  const ref = expected.models[arch]!;

  // ResNet-50 (slow on tfjs) is checked on the grid weights only.
  if (ref.seeded !== undefined) describe('seeded weights', () => {
    let model: Module;
    beforeAll(() => {
      model = build({ quantize: true, numClasses: 10 });
      seedModel(model, seededValue);
      model.eval();
    });
    afterAll(() => model.dispose());

    it("has the reference's state-dict keys, in its order, and gives its float output within 1e-4", () => {
      expect(Object.keys(model.stateDict())).toEqual(ref.keys);
      expect(maxAbsDiff(floatOutput(model), ref.seeded!.float.data)).toBeLessThan(1e-4);
    });

    it('max calibration on the same batches: the same keys, every _amax to float32 rounding', () => {
      const state = maxCalibrate(model);
      expect(Object.keys(state)).toEqual(ref.seeded!.calibratedKeys);
      expect(Object.keys(ref.seeded!.amax).filter((k) => k.includes('residual_quantizer'))).toHaveLength(blocks);
      expectAmax(state, ref.seeded!.amax);
    });
  });

  describe('grid weights', () => {
    let model: Module;
    let quantized: Float32Array;
    beforeAll(() => {
      model = build({ quantize: true, numClasses: 10, normLayer: (c) => new BatchNorm2d(c, { eps: GRID_EPS }) });
      seedModel(model, gridValue);
      model.eval();
    });
    afterAll(() => model.dispose());

    it('keys, float output, then max calibration as the reference: every _amax to float32 rounding', () => {
      expect(Object.keys(model.stateDict())).toEqual(ref.keys);
      expect(maxAbsDiff(floatOutput(model), ref.grid.float.data)).toBeLessThan(1e-4);
      const state = maxCalibrate(model);
      expect(Object.keys(state)).toEqual(ref.grid.calibratedKeys);
      expectAmax(state, ref.grid.amax);
      expectGridWeightAmax(state);
    });

    it("with the amax rounded to powers of two, the quantized eval output is bit for bit the reference's", () => {
      loadRoundedAmax(model, ref.grid.roundedAmax);
      quantized = run(model);
      expect(Array.from(quantized)).toEqual(ref.grid.quantized.data);
    });

    it('exports to ONNX with a Q/DQ pair per quantizer, a residual one on each Add; ONNX Runtime gives the same output', async () => {
      const { bytes, output } = await exportAndRun(model);
      const nodes = decodeOnnx(bytes).graph!.node ?? [];
      const count = (op: string): number => nodes.filter((n) => n.opType === op).length;
      expect(count('QuantizeLinear')).toBe(quantizers(model).size);
      expect(count('DequantizeLinear')).toBe(quantizers(model).size);
      const producer = new Map(nodes.flatMap((n) => (n.output ?? []).map((o) => [o, n] as const)));
      const adds = nodes.filter((n) => n.opType === 'Add');
      expect(adds).toHaveLength(blocks);
      for (const add of adds) expect(add.input!.some((i) => producer.get(i)?.opType === 'DequantizeLinear'), add.name ?? '').toBe(true);
      expect(Array.from(output)).toEqual(Array.from(quantized));
    });
  });
});

describe('the ResNet family', () => {
  it("every named model is built as the reference's factory builds it", () => {
    const table = Object.fromEntries(Object.entries(RESNET_ARCHS).map(([name, a]) => {
      const { block, layers, ...fixed } = a;
      return [name, { block: block.name, layers: [...layers], ...fixed }];
    }));
    expect(table).toEqual(expected.archs);
  });

  it('groups, widthPerGroup and replaceStrideWithDilation (float, quantize: false): the reference\'s shapes and output', () => {
    const model = new ResNet(Bottleneck, [1, 1, 1, 1], { numClasses: 10, groups: 32, widthPerGroup: 4, replaceStrideWithDilation: [false, true, true] });
    const shapes = Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual(expected.groupedDilated.shapes);
    expect(quantizers(model).size).toBe(0);
    seedModel(model, seededValue);
    model.eval();
    expect(maxAbsDiff(run(model), expected.groupedDilated.float.data)).toBeLessThan(1e-4);
    model.dispose();
  });
});
