import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { afterEach, describe, expect, it } from 'vitest';
import { QUANT_DESC_8BIT_PER_TENSOR, QuantDescriptor } from '@pq/core';
import {
  QuantAdaptiveAvgPool2d, QuantAvgPool1d, QuantConv1d, QuantConv2d, QuantConvTranspose2d, QuantInstanceNorm1d, QuantLSTM,
  QuantLSTMCell, QuantLinear, QuantMaxPool2d, StateDictError, quantizers,
} from '@pq/nn';

const axisOf = (q: { axis: number | readonly number[] | null }) => q.axis;

describe('quantized layers: defaults as the reference', () => {
  it('quantizes inputs per tensor and weights per output channel', () => {
    const lin = new QuantLinear(4, 3);
    const conv = new QuantConv2d(2, 3, 3);
    const convT = new QuantConvTranspose2d(2, 3, 3);
    const cell = new QuantLSTMCell(4, 2);
    for (const m of [lin, conv, convT, cell]) expect(axisOf(m.inputQuantizer)).toBeNull();
    expect(axisOf(lin.weightQuantizer)).toBe(0);
    expect(axisOf(conv.weightQuantizer)).toBe(0);
    expect(axisOf(convT.weightQuantizer)).toBe(1);
    expect(axisOf(cell.weightQuantizer)).toBe(0);
    expect(new QuantMaxPool2d(2).inputQuantizer.numBits).toBe(8);
    expect(conv.toString()).toBe(
      'QuantConv2d(2, 3, kernel_size=(3, 3), stride=(1, 1)\n' +
        '  (_input_quantizer): TensorQuantizer(8bit fake per-tensor amax=dynamic calibrator=MaxCalibrator scale=1.0 quant)\n' +
        '  (_weight_quantizer): TensorQuantizer(8bit fake axis=0 amax=dynamic calibrator=MaxCalibrator scale=1.0 quant)\n)',
    );
    for (const m of [lin, conv, convT, cell]) m.dispose();
  });

  it('takes quantDescInput / quantDescWeight options', () => {
    const m = new QuantLinear(4, 3, {
      quantDescInput: new QuantDescriptor({ numBits: 4, unsigned: true }),
      quantDescWeight: new QuantDescriptor({ numBits: 6, axis: 0 }),
    });
    expect(m.inputQuantizer.numBits).toBe(4);
    expect(m.inputQuantizer.unsigned).toBe(true);
    expect(m.weightQuantizer.numBits).toBe(6);
    m.dispose();
  });

  describe('setDefaultQuantDescInput / Weight per class', () => {
    afterEach(() => {
      QuantConv1d.setDefaultQuantDescInput(QUANT_DESC_8BIT_PER_TENSOR);
    });
    it('changes the defaults of that class only', () => {
      QuantConv1d.setDefaultQuantDescInput(new QuantDescriptor({ numBits: 5 }));
      const a = new QuantConv1d(1, 1, 1);
      const b = new QuantConv2d(1, 1, 1);
      expect(a.inputQuantizer.numBits).toBe(5);
      expect(b.inputQuantizer.numBits).toBe(8);
      expect(() => QuantConv1d.setDefaultQuantDescWeight({} as QuantDescriptor)).toThrow(/must be a QuantDescriptor/);
      a.dispose();
      b.dispose();
    });
  });
});

describe('quantized layers: clear errors', () => {
  it('names the layer and both shapes for a wrong channel count or rank', () => {
    const conv = new QuantConv2d(3, 6, 3);
    tf.tidy(() => {
      expect(() => conv.call(tf.zeros([1, 4, 8, 8]))).toThrow(/QuantConv2d\(3, 6, .*with 3 channels, got shape \[1, 4, 8, 8\]/);
      expect(() => conv.call(tf.zeros([8, 8]))).toThrow(/QuantConv2d\(3, 6, .*got shape \[8, 8\]/);
      const lin = new QuantLinear(5, 2);
      expect(() => lin.call(tf.zeros([2, 4]))).toThrow(/QuantLinear\(in_features=5, .*expected input \[\.\.\., 5\], got shape \[2, 4\]/);
      lin.dispose();
      const norm = new QuantInstanceNorm1d(3);
      expect(() => norm.call(tf.zeros([2, 2, 5]))).toThrow(/QuantInstanceNorm1d\(3, .*got shape \[2, 2, 5\]/);
    });
    conv.dispose();
  });

  it('refuses fakeQuant: false descriptors', () => {
    const real = new QuantDescriptor({ fakeQuant: false });
    expect(() => new QuantConv2d(1, 1, 1, { quantDescInput: real })).toThrow(/Only fake quantization is supported/);
    expect(() => new QuantLinear(1, 1, { quantDescWeight: real })).toThrow(/Only fake quantization is supported/);
    expect(() => new QuantAvgPool1d(2, { quantDescInput: real })).toThrow(/Only fake quantization is supported/);
  });

  it('refuses unknown options', () => {
    expect(() => new QuantConv2d(1, 1, 1, { strides: 2 } as never)).toThrow(/unknown option 'strides'/);
    expect(() => new QuantLinear(1, 1, { quantDescInputs: QUANT_DESC_8BIT_PER_TENSOR } as never)).toThrow(/unknown option 'quantDescInputs'/);
    expect(() => new QuantMaxPool2d(2, { quantDescWeight: QUANT_DESC_8BIT_PER_TENSOR } as never)).toThrow(/unknown option 'quantDescWeight'/);
    expect(() => new QuantAdaptiveAvgPool2d(2, { bias: true } as never)).toThrow(/unknown option 'bias'/);
  });

  it('refuses a state dict with a wrong shape or a missing key (strict), naming them', () => {
    const m = new QuantLinear(4, 3);
    const good = m.stateDict();
    expect(() => m.loadStateDict({ ...good, weight: { data: new Float32Array(12), shape: [4, 3] } })).toThrow(
      /weight: checkpoint has \[4, 3\], model has \[3, 4\]/,
    );
    expect(() => m.loadStateDict({ weight: good.weight! })).toThrow(StateDictError);
    expect(() => m.loadStateDict({ weight: good.weight! })).toThrow(/missing keys: bias/);
    expect(m.loadStateDict({ weight: good.weight! }, { strict: false }).missingKeys).toEqual(['bias']);
    m.dispose();
  });
});

describe('quantized layers: state names', () => {
  it('uses PyTorch names for quantizer state, created on load', () => {
    const m = new QuantConv2d(1, 2, 1);
    m.loadStateDict({
      ...m.stateDict(),
      '_input_quantizer._amax': { data: new Float32Array([2]), shape: [] },
      '_weight_quantizer._amax': { data: new Float32Array([1, 3]), shape: [2, 1, 1, 1] },
    });
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias', '_input_quantizer._amax', '_weight_quantizer._amax']);
    expect([...quantizers(m).keys()]).toEqual(['_input_quantizer', '_weight_quantizer']);
    m.dispose();
  });

  it('keeps one quantizer pair per layer and direction in QuantLSTM', () => {
    const m = new QuantLSTM(3, 2, { numLayers: 2, bidirectional: true });
    expect([...quantizers(m).keys()]).toEqual([
      '_input_quantizers.0', '_input_quantizers.1', '_input_quantizers.2', '_input_quantizers.3',
      '_weight_quantizers.0', '_weight_quantizers.1', '_weight_quantizers.2', '_weight_quantizers.3',
    ]);
    tf.tidy(() => {
      const [out, [h, c]] = m.call(tf.randomNormal([5, 2, 3], 0, 1, 'float32', 1)) as [tf.Tensor, [tf.Tensor, tf.Tensor]];
      expect(out.shape).toEqual([5, 2, 4]);
      expect(h.shape).toEqual([4, 2, 2]);
      expect(c.shape).toEqual([4, 2, 2]);
    });
    m.dispose();
  });

  it('steps a one-layer QuantLSTM exactly like QuantLSTMCell with the same weights', () => {
    const lstm = new QuantLSTM(3, 2);
    const cell = new QuantLSTMCell(3, 2);
    const sd = lstm.stateDict();
    cell.loadStateDict({
      weight_ih: sd.weight_ih_l0!, weight_hh: sd.weight_hh_l0!, bias_ih: sd.bias_ih_l0!, bias_hh: sd.bias_hh_l0!,
    });
    tf.tidy(() => {
      const xs = tf.randomNormal([4, 1, 3], 0, 1, 'float32', 7);
      const [out] = lstm.call(xs) as [tf.Tensor, unknown];
      let state: [tf.Tensor, tf.Tensor] = [tf.zeros([1, 2]), tf.zeros([1, 2])];
      const hs: tf.Tensor[] = [];
      for (const x of tf.unstack(xs)) {
        state = cell.call(x, state) as [tf.Tensor, tf.Tensor];
        hs.push(state[0]);
      }
      expect(Array.from(out.dataSync())).toEqual(Array.from(tf.stack(hs).dataSync()));
    });
    lstm.dispose();
    cell.dispose();
  });
});
