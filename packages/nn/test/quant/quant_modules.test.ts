import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Conv2d, Flatten, LSTMCell, Linear, MaxPool2d, Module, QuantConv2d, QuantLSTMCell, QuantLinear, ReLU, Sequential,
  quantModules, quantizers, replaceWithQuant,
} from '@pq/nn';

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

  it('refuses unknown names and options', () => {
    expect(() => quantModules.initialize({ floatModuleList: ['Conv4d'] })).toThrow(/floatModuleList names 'Conv4d'/);
    expect(() => quantModules.initialize({ floatModules: [] } as never)).toThrow(/unknown option 'floatModules'/);
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
