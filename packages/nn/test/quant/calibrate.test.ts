import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { describe, expect, it } from 'vitest';
import { QuantDescriptor } from '@pq/core';
import {
  Module, QuantConv2d, QuantConvTranspose2d, QuantLinear, TensorQuantizer, calibrateWeights, enableCalibration, finishCalibration, quantizers,
} from '@pq/nn';

class Two extends Module {
  conv = new QuantConv2d(1, 2, 3);
  fc = new QuantLinear(8, 2, { quantDescInput: new QuantDescriptor({ calibMethod: 'histogram' }) });
  forward(x: tf.Tensor): tf.Tensor {
    return this.fc.call(tf.reshape(this.conv.call(x) as tf.Tensor, [x.shape[0]!, 8])) as tf.Tensor;
  }
}

const maxAbs = (t: tf.Tensor) => Math.max(...Array.from(t.dataSync(), Math.abs));

describe('calibration flow', () => {
  it('collects without quantizing, then loads amax into every quantizer that saw data', () => {
    const m = new Two();
    enableCalibration(m);
    for (const q of quantizers(m).values()) expect([q.ifCalib, q.ifQuant]).toEqual([true, false]);
    const batches = [1, 2, 3].map((s) => tf.randomNormal([4, 1, 4, 4], 0, s, 'float32', s));
    let convOut = 0;
    tf.tidy(() => {
      for (const x of batches) {
        const y = m.conv.call(x) as tf.Tensor;
        convOut = Math.max(convOut, maxAbs(y));
        // Calibrating does not quantize: the conv is the float conv.
        expect(Array.from(y.dataSync())).toEqual(Array.from(m.conv.convForward(x, m.conv.weight, m.conv.bias).dataSync()));
        m.call(x);
      }
    });
    const loaded = finishCalibration(m, 'percentile', { percentile: 100 });
    expect(loaded).toEqual(['conv._input_quantizer', 'conv._weight_quantizer', 'fc._input_quantizer', 'fc._weight_quantizer']);
    expect(m.conv.inputQuantizer.amax!.dataSync()[0]).toBe(Math.max(...batches.map(maxAbs)));
    expect(m.conv.weightQuantizer.amax!.shape).toEqual([2, 1, 1, 1]);
    // Histogram calibrator with percentile 100: a bin edge next to the largest |x| (the bin
    // width is the first batch's max / 2048).
    const fcAmax = m.fc.inputQuantizer.amax!.dataSync()[0]!;
    expect(Math.abs(fcAmax - convOut)).toBeLessThan(convOut / 2048);
    for (const q of quantizers(m).values()) expect([q.ifCalib, q.ifQuant]).toEqual([false, true]);
    expect(Object.keys(m.stateDict())).toContain('fc._input_quantizer._amax');
    tf.dispose(batches);
    m.dispose();
  });

  it('skips quantizers whose calibrator saw nothing', () => {
    const m = new Two();
    enableCalibration(m);
    tf.tidy(() => m.conv.call(tf.ones([1, 1, 4, 4])));
    expect(finishCalibration(m)).toEqual(['conv._input_quantizer', 'conv._weight_quantizer']);
    expect(m.fc.inputQuantizer.amax).toBeNull();
    m.dispose();
  });
});

describe('calibration flow and the states set before it', () => {
  it('gives every quantizer back the state it had before enableCalibration', () => {
    const m = new Two();
    const dynamic = new TensorQuantizer(new QuantDescriptor({ numBits: 8, blockSizes: { [-1]: 4, type: 'dynamic' } }));
    const dynamicOff = new TensorQuantizer(new QuantDescriptor({ numBits: 8, blockSizes: { [-1]: 4, type: 'dynamic' } }));
    Object.assign(m, { dynamic, dynamicOff });
    m.fc.inputQuantizer.disable();
    m.conv.weightQuantizer.disableQuant();
    dynamicOff.disable();
    const state = () => [...quantizers(m)].map(([name, q]) => `${name}:${q.disabled ? 'off' : 'on'}${q.ifQuant ? '+quant' : ''}${q.ifCalib ? '+calib' : ''}`);
    const before = state();
    enableCalibration(m);
    enableCalibration(m); // twice: still the states from before the first
    expect(dynamic.disabled).toBe(true);
    tf.tidy(() => m.call(tf.ones([1, 1, 4, 4])));
    // The disabled quantizer collected nothing (as in the reference: disabled returns x first).
    expect(finishCalibration(m)).toEqual(['conv._input_quantizer', 'conv._weight_quantizer', 'fc._weight_quantizer']);
    expect(state()).toEqual(before);
    expect(m.fc.inputQuantizer.amax).toBeNull();
    // Calibration switched on by hand (no enableCalibration): finishing quantizes, as the reference's flow does.
    m.fc.weightQuantizer.disableQuant();
    m.fc.weightQuantizer.enableCalib();
    finishCalibration(m);
    expect([m.fc.weightQuantizer.ifQuant, m.fc.weightQuantizer.ifCalib, dynamicOff.disabled]).toEqual([true, false, true]);
    m.dispose();
  });
});

describe('calibrateWeights', () => {
  it('sets per-channel amax from the weights (axis 1 for transposed convolutions)', () => {
    const conv = new QuantConv2d(2, 3, 3);
    const convT = new QuantConvTranspose2d(2, 3, 3);
    expect(calibrateWeights(conv, { method: 'max' })).toEqual(['']);
    const w = conv.weight.arraySync() as number[][][][];
    expect(Array.from(conv.weightQuantizer.amax!.dataSync())).toEqual(
      w.map((c) => Math.fround(Math.max(...c.flat(2).map(Math.abs)))),
    );
    calibrateWeights(convT, { method: 'max' });
    expect(convT.weightQuantizer.amax!.shape).toEqual([1, 3, 1, 1]);
    calibrateWeights(conv, { method: 'percentile', percentile: 99.99 });
    calibrateWeights(conv, { method: 'mse' });
    expect(conv.weightQuantizer.amax!.shape).toEqual([3, 1, 1, 1]);
    const lin = new QuantLinear(4, 2, { quantDescWeight: new QuantDescriptor() });
    calibrateWeights(lin, { perchannel: false, method: 'max' });
    expect(lin.weightQuantizer.amax!.shape).toEqual([]);
    expect(() => calibrateWeights(lin, { method: 'entropy' as never })).toThrow(/unsupported method 'entropy'/);
    for (const m of [conv, convT, lin]) m.dispose();
  });
});
