import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool2d, Conv2d, ConvNd, Flatten, LSTMCell, Linear, MaxPool2d, Module, QuantAdaptiveAvgPool2d,
  QuantConv2d, QuantLSTMCell, QuantLinear, QuantMaxPool2d, ReLU, Sequential, quantModules, quantizers, replaceWithQuant,
} from '@pq/nn';
import { QUANT_DESC_8BIT_PER_TENSOR, QuantDescriptor } from '@pq/core';

class MyQuantLinear extends QuantLinear {}

describe('quantModules.initialize / deactivate', () => {
  afterEach(() => quantModules.deactivate());

  it('builds quantized layers while active, float ones after deactivate', () => {
    quantModules.initialize();
    expect(quantModules.active).toBe(true);
    const conv = new Conv2d(1, 10, 5);
    const cell = new LSTMCell(4, 3);
    const pool = new MaxPool2d(2); // not in the reference's list: stays float
    expect(conv).toBeInstanceOf(QuantConv2d);
    expect(conv).toBeInstanceOf(Conv2d);
    expect(cell).toBeInstanceOf(QuantLSTMCell);
    expect(pool.typeName).toBe('MaxPool2d');
    expect(conv.toString()).toContain('(_weight_quantizer): TensorQuantizer(8bit fake axis=0');
    quantModules.deactivate();
    const plain = new Conv2d(1, 10, 5);
    expect(plain).not.toBeInstanceOf(QuantConv2d);
    expect(plain.typeName).toBe('Conv2d');
    for (const m of [conv, cell, pool, plain]) m.dispose();
  });

  it('keeps floatModuleList float, adds custom pairs, leaves subclasses alone', () => {
    quantModules.initialize({ floatModuleList: ['Linear'] });
    const lin = new Linear(3, 2);
    expect(lin.typeName).toBe('Linear');
    class MyConv extends Conv2d {}
    const mine = new MyConv(1, 1, 1);
    expect(mine.typeName).toBe('MyConv');
    quantModules.initialize({ customQuantModules: [[Linear, MyQuantLinear]] });
    const custom = new Linear(3, 2);
    expect(custom).toBeInstanceOf(MyQuantLinear);
    for (const m of [lin, mine, custom]) m.dispose();
  });

  it('refuses unknown names and options, and classes whose construction cannot be redirected', () => {
    expect(() => quantModules.initialize({ floatModuleList: ['Conv4d'] })).toThrow(/floatModuleList names 'Conv4d'/);
    expect(() => quantModules.initialize({ floatModules: [] } as never)).toThrow(/unknown option 'floatModules'/);
    class Own extends Module {
      forward(): void {}
    }
    expect(() => quantModules.initialize({ customQuantModules: [[Own, QuantLinear]] })).toThrow(/names Own, whose constructor cannot be redirected/);
    expect(quantModules.active).toBe(false);
  });
});

describe('one class identity', () => {
  afterEach(() => quantModules.deactivate());

  it('classes, constructors and statics are plain, swapped or not', () => {
    const plain = new Conv2d(1, 2, 3);
    expect(plain.constructor).toBe(Conv2d);
    expect(Object.getPrototypeOf(plain)).toBe(Conv2d.prototype);
    expect(Conv2d.optionKeys).toBe(ConvNd.optionKeys);
    // One mixin level between a quantized class and its float class.
    expect(Object.getPrototypeOf(Object.getPrototypeOf(QuantConv2d.prototype))).toBe(Conv2d.prototype);
    expect(QuantConv2d.optionKeys).toEqual([...Conv2d.optionKeys, 'quantDescInput', 'quantDescWeight']);
    expect(QuantMaxPool2d.optionKeys).toEqual([...MaxPool2d.optionKeys, 'quantDescInput']);
    quantModules.initialize();
    const swapped = new Conv2d(1, 2, 3, { padding: 1 });
    expect(swapped.constructor).toBe(QuantConv2d);
    expect(swapped).toBeInstanceOf(Conv2d);
    expect(swapped.padding).toEqual([1, 1]);
    expect(Conv2d.optionKeys).toBe(ConvNd.optionKeys);
    // The quantized classes themselves (and replaceWithQuant's builders) are never redirected.
    expect(new QuantConv2d(1, 2, 3).constructor).toBe(QuantConv2d);
    for (const m of [plain, swapped]) m.dispose();
  });

  it('subclasses are built as themselves unless a custom pair names them', () => {
    class Before extends Conv2d {
      static tag = 'before';
    }
    quantModules.initialize();
    class After extends Conv2d {}
    const [before, after] = [new Before(1, 1, 1), new After(1, 1, 1)];
    expect(before.constructor).toBe(Before);
    expect(after.constructor).toBe(After);
    expect(before).not.toBeInstanceOf(QuantConv2d);
    expect(Before.tag).toBe('before');
    class QuantBefore extends QuantConv2d {}
    quantModules.initialize({ customQuantModules: [[Before, QuantBefore]] });
    const custom = new Before(1, 1, 1);
    expect(custom.constructor).toBe(QuantBefore);
    for (const m of [before, after, custom]) m.dispose();
  });

  it('the quant options come in the trailing options object', () => {
    const pool = new QuantAdaptiveAvgPool2d([3, null], { quantDescInput: new QuantDescriptor({ numBits: 4 }) });
    expect(pool.outputSize).toEqual([3, null]);
    expect(pool.inputQuantizer.numBits).toBe(4);
    expect(new QuantAdaptiveAvgPool2d(2).inputQuantizer.numBits).toBe(QUANT_DESC_8BIT_PER_TENSOR.numBits);
    expect(new QuantAdaptiveAvgPool2d(2)).toBeInstanceOf(AdaptiveAvgPool2d);
    const max = new QuantMaxPool2d([2, 3], { stride: 1 });
    expect([max.kernelSize, max.stride]).toEqual([[2, 3], 1]);
    expect(() => new QuantAdaptiveAvgPool2d(2, { stride: 1 } as never)).toThrow(/QuantAdaptiveAvgPool2d: unknown option 'stride'/);
  });
});

class Net extends Module {
  features = new Sequential(new Conv2d(1, 2, 3), new ReLU());
  flatten = new Flatten();
  fc = new Linear(2 * 4 * 4, 3);
  forward(x: tf.Tensor): tf.Tensor {
    return this.fc.call(this.flatten.call(this.features.call(x))) as tf.Tensor;
  }
}

describe('replaceWithQuant', () => {
  it('swaps float layers in place, keeping configuration, weights and mode', () => {
    const net = new Net().eval();
    const before = net.stateDict();
    const x = tf.randomNormal([2, 1, 6, 6], 0, 1, 'float32', 3);
    const yFloat = net.call(x) as tf.Tensor;
    expect(replaceWithQuant(net)).toEqual(['features.0', 'fc']);
    expect(net.features.at(0)).toBeInstanceOf(QuantConv2d);
    expect(net.fc).toBeInstanceOf(QuantLinear);
    expect(net.fc.training).toBe(false);
    const after = net.stateDict();
    for (const k of Object.keys(before)) expect(Array.from(after[k]!.data)).toEqual(Array.from(before[k]!.data));
    // With every quantizer disabled the model computes what the float one did.
    for (const q of quantizers(net).values()) q.disable();
    expect(Array.from((net.call(x) as tf.Tensor).dataSync())).toEqual(Array.from(yFloat.dataSync()));
    tf.dispose([x, yFloat]);
    net.dispose();
  });

  it('honours floatModuleList and custom builders', () => {
    const net = new Net();
    const built: string[] = [];
    const names = replaceWithQuant(net, {
      floatModuleList: ['Conv2d'],
      custom: [[ReLU, (m) => (built.push(m.typeName), new ReLU())]],
    });
    expect(names).toEqual(['features.1', 'fc']);
    expect(built).toEqual(['ReLU']);
    expect(net.features.at(0).typeName).toBe('Conv2d');
    net.dispose();
  });
});
