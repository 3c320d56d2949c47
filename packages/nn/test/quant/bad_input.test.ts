// Bad input to the quantization API (and F's options) is refused up front with a message that names the
// quantizer or layer (by its path in the model) and the problem, and nothing is changed.
import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { describe, expect, it } from 'vitest';
import { QuantDescriptor } from '@pq/core';
import {
  Clip, F, Module, QuantConv2d, QuantLinear, StateDictError, TensorQuantizer, calibrateWeights, enableCalibration, fakeQuant,
  finishCalibration, realQuant,
} from '@pq/nn';

const desc = (o: ConstructorParameters<typeof QuantDescriptor>[0] = {}) => new QuantDescriptor(o);

class Net extends Module {
  conv1 = new QuantConv2d(1, 2, 1);
  conv2 = new QuantConv2d(2, 2, 1);
  forward(x: tf.Tensor): tf.Tensor {
    return this.conv2.call(this.conv1.call(x));
  }
}

describe('amax must be finite and non-negative', () => {
  it('is refused where it is set: setter, descriptor, fakeQuant/realQuant', () => {
    const q = new TensorQuantizer();
    for (const bad of [Infinity, -Infinity, NaN, -1, [1, Infinity], Float32Array.of(2, NaN), 1e39]) {
      expect(() => (q.amax = bad as never), String(bad)).toThrow(/TensorQuantizer: amax must be finite and non-negative, got /);
    }
    expect(q.amax).toBeNull();
    q.amax = 2;
    expect(() => (q.amax = Infinity)).toThrow(/got Infinity \(at index 0\)/);
    expect(q.amax!.dataSync()[0]).toBe(2);
    expect(() => (q.preQuantScale = [1, NaN])).toThrow(/TensorQuantizer: preQuantScale must be finite, got NaN \(at index 1\)/);
    q.dispose();
    expect(() => desc({ amax: Infinity })).toThrow(/QuantDescriptor: amax must be finite and non-negative, got Infinity/);
    expect(() => desc({ amax: [1, -2] })).toThrow(/got -2 \(at index 1\)/);
    expect(() => desc({ scaleAmax: Infinity })).toThrow(/QuantDescriptor: scaleAmax must be a finite number > 0 or null, got Infinity/);
    expect(() => desc({ scaleAmax: 0 })).toThrow(/scaleAmax must be a finite number > 0/);
    tf.tidy(() => {
      const x = tf.tensor([0.5, -1]);
      expect(() => fakeQuant(x, Infinity)).toThrow(/fakeQuant: amax must be finite and non-negative, got Infinity/);
      expect(() => fakeQuant(x, tf.tensor([Infinity]))).toThrow(/amax must be finite/);
      expect(() => realQuant(x, Infinity)).toThrow(/realQuant: amax must be finite/);
    });
  });

  it('is refused in a QuantLinear before any NaN output', () => {
    const lin = new QuantLinear(2, 2);
    expect(() => (lin._input_quantizer.amax = Infinity)).toThrow(/amax must be finite/);
    const y = tf.tidy(() => lin.call(tf.ones([1, 2])) as tf.Tensor);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    y.dispose();
    lin.dispose();
  });

  it('names the quantizer by its path when the forward finds a non-finite amax (dynamic or uncalibrated)', () => {
    const net = new Net();
    const inf = tf.tensor4d([1, Infinity], [2, 1, 1, 1]);
    expect(() => tf.tidy(() => net.call(inf))).toThrow(
      /^conv1\._input_quantizer: dynamic amax \(max \|x\| of this batch\) is Infinity: the input holds non-finite values$/,
    );
    const nan = tf.tensor4d([1, NaN], [2, 1, 1, 1]);
    expect(() => tf.tidy(() => net.call(nan))).toThrow(/^conv1\._input_quantizer: dynamic amax .* is NaN/);
    // An uncalibrated quantizer (loadCalibAmax found nothing, not strict) holds amax NaN, as in the reference.
    net.conv2._input_quantizer.loadCalibAmax(undefined, undefined, { strict: false });
    const ok = tf.tensor4d([1, 2], [2, 1, 1, 1]);
    expect(() => tf.tidy(() => net.call(ok))).toThrow(/^conv2\._input_quantizer: amax is NaN: loadCalibAmax found no calibration data/);
    // The stack printed for an uncaught error carries the same name.
    try {
      tf.tidy(() => net.call(ok));
    } catch (e) {
      expect((e as Error).stack).toMatch(/^Error: conv2\._input_quantizer: amax is NaN/);
    }
    // Called on its own, the quantizer names its class.
    expect(() => tf.tidy(() => net.conv2._input_quantizer.call(ok))).toThrow(/^TensorQuantizer: amax is NaN/);
    for (const t of [inf, nan, ok]) t.dispose();
    net.dispose();
  });

  it('is refused in a state dict (Infinity, negative), naming the key, with nothing changed', () => {
    const lin = new QuantLinear(2, 2);
    lin._weight_quantizer.amax = { data: Float32Array.of(1, 1), shape: [2, 1] };
    const sd = lin.stateDict();
    const bad = { ...sd, '_weight_quantizer._amax': { data: Float32Array.of(1, Infinity), shape: [2, 1] } };
    expect(() => lin.loadStateDict(bad)).toThrow(StateDictError);
    expect(() => lin.loadStateDict(bad)).toThrow(/invalid values: _weight_quantizer\._amax: amax must be finite and non-negative, got Infinity \(at index 1\)/);
    const created = { ...sd, '_input_quantizer._amax': { data: Float32Array.of(-3), shape: [] } };
    expect(() => lin.loadStateDict(created)).toThrow(/_input_quantizer\._amax: amax must be finite and non-negative, got -3/);
    const short = { ...sd, '_input_quantizer._amax': { data: new Float32Array(0), shape: [] } };
    expect(() => lin.loadStateDict(short)).toThrow(/_input_quantizer\._amax shape \[\] needs 1 elements but data has 0/);
    expect(lin.stateDict()).toEqual(sd);
    expect(lin._input_quantizer.amax).toBeNull();
    lin.dispose();
  });
});

describe('calibration names the quantizer or layer', () => {
  it('finishCalibration and calibrateWeights prefix errors with the name; their options are checked', () => {
    const net = new Net();
    net.conv2._input_quantizer.dispose();
    net.conv2._input_quantizer = new TensorQuantizer(desc({ numBits: [4, 3], calibMethod: 'histogram' }));
    enableCalibration(net);
    tf.tidy(() => net.call(tf.ones([1, 1, 2, 2])));
    expect(() => finishCalibration(net, 'entropy')).toThrow(/^finishCalibration: conv2\._input_quantizer: .*entropy method needs an integer numBits/);
    (net.conv1.weight as tf.Variable).assign(tf.fill(net.conv1.weight.shape, NaN));
    expect(() => calibrateWeights(net, { method: 'mse' })).toThrow(/^calibrateWeights: conv1\.weight: HistogramCalibrator\.collect: x has 1 non-finite value/);
    expect(() => calibrateWeights(net, { perChannel: false } as never)).toThrow(/unknown option 'perChannel'; did you mean 'perchannel'/);
    expect(() => new Clip(-1, 1, { learnmin: true } as never)).toThrow(/Clip: unknown option 'learnmin'; did you mean 'learnMin'/);
    net.dispose();
  });
});

describe('options and descriptors are checked when built', () => {
  it('refuses unknown and mistyped options of the ops and the quantizer', () => {
    tf.tidy(() => {
      const x = tf.tensor([0.5, -1]);
      expect(() => fakeQuant(x, 1, { numbits: 4 } as never)).toThrow(/fakeQuant: unknown option 'numbits'; did you mean 'numBits'\?/);
      expect(() => fakeQuant(x, 1, { unsigned: 'yes' } as never)).toThrow(/fakeQuant: option 'unsigned' must be a boolean, got string 'yes'/);
      expect(() => realQuant(x, 1, { narrow_range: false } as never)).toThrow(/unknown option 'narrow_range'; did you mean 'narrowRange'/);
    });
    expect(() => new TensorQuantizer(desc(), { disabled: 1 } as never)).toThrow(/TensorQuantizer: option 'disabled' must be a boolean, got 1/);
    const q = new TensorQuantizer();
    expect(() => (q.numBits = 99)).toThrow(/numBits must be an integer in 2..16 for signed quantization, got 99/);
    expect(() => (q.unsigned = 'yes' as never)).toThrow(/TensorQuantizer: unsigned must be a boolean, got string 'yes'/);
    expect(q.numBits).toBe(8);
    q.dispose();
  });

  it('refuses mistyped options of F too', () => {
    tf.tidy(() => {
      const x = tf.ones([1, 1, 4, 4]);
      expect(() => F.maxPool2d(x, 2, { ceilMode: 'yes' } as never)).toThrow("maxPool2d: option 'ceilMode' must be a boolean, got string 'yes'");
      expect(() => F.conv2d(x, tf.ones([1, 1, 1, 1]), null, { groups: 1.5 })).toThrow("conv2d: option 'groups' must be an integer, got 1.5");
      expect(() => F.crossEntropy(tf.ones([1, 2]), [0], { reduction: 1 } as never)).toThrow("crossEntropy: option 'reduction' must be a string, got 1");
    });
  });

  it('validates numBits, amax, scaleAmax and axis in QuantDescriptor', () => {
    expect(() => desc({ numBits: 99 })).toThrow(/QuantDescriptor: numBits must be an integer in 2..16 for signed quantization, got 99/);
    expect(() => desc({ numBits: 1 })).toThrow(/2..16 for signed/);
    expect(desc({ numBits: 1, unsigned: true }).numBits).toBe(1);
    expect(() => desc({ axis: [0, 0] })).toThrow(/QuantDescriptor: axis 0 is repeated in \[0, 0\]/);
    expect(() => desc({ axis: Int32Array.of(1, 1) as never })).toThrow(/repeated/);
  });
});

describe('typed arrays are arrays', () => {
  it('are accepted for amax, preQuantScale and descriptors, and named in refusals', () => {
    const q = new TensorQuantizer(desc({ axis: 0 }));
    q.amax = Float32Array.from([3.142, 2.718]);
    expect(Array.from(q.amax!.dataSync())).toEqual([Math.fround(3.142), Math.fround(2.718)]);
    q.amax = Float64Array.of(1, 2);
    q.preQuantScale = Int32Array.of(1, 2);
    expect(Array.from(q.preQuantScale!.dataSync())).toEqual([1, 2]);
    expect(() => (q.amax = 'x' as never)).toThrow(
      /TensorQuantizer: amax must be a number, an array, a typed array, an NDArray or a tf\.Tensor, got string 'x'/,
    );
    expect(() => (q.amax = BigInt64Array.of(1n) as never)).toThrow(/got BigInt64Array\(1\)/);
    q.dispose();
    expect(desc({ amax: Float64Array.of(0.5, 2), axis: Int32Array.of(0) as never })).toMatchObject({ amax: [0.5, 2], axis: [0] });
    expect(() => desc({ amax: ['a'] as never })).toThrow(/QuantDescriptor: amax must be a number, a list of numbers or a typed array, got array \[a\]/);
  });
});

describe('axis out of range', () => {
  it('is refused at the first forward instead of quantizing per tensor', () => {
    const q = new TensorQuantizer(desc({ axis: 99 }));
    const x = tf.ones([2, 3]);
    expect(() => tf.tidy(() => q.call(x))).toThrow(/^TensorQuantizer: axis 99 is out of range for rank 2 \(expected -2..1\)$/);
    const neg = new TensorQuantizer(desc({ axis: -1 }));
    expect(tf.tidy(() => neg.call(x).shape)).toEqual([2, 3]);
    for (const m of [q, neg]) m.dispose();
    x.dispose();
  });
});

describe('layer inputs', () => {
  it('a non-tensor input names the layer and what it got', () => {
    const conv = new QuantConv2d(1, 2, 1);
    expect(() => conv.call(undefined)).toThrow(/^QuantConv2d\(1, 2, kernel_size=\(1, 1\).*\): expected a tf\.Tensor input, got undefined$/);
    expect(() => conv.call([[1]])).toThrow(/expected a tf\.Tensor input, got array/);
    const lin = new QuantLinear(2, 2);
    expect(() => lin.call({ data: new Float32Array(2), shape: [2] })).toThrow(/^QuantLinear\(.*\): expected a tf\.Tensor input, got object \{ data, shape \}$/);
    for (const m of [conv, lin]) m.dispose();
  });
});
