import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import {
  BatchNorm2d, Conv1d, Conv2d, Conv3d, ConvTranspose2d, Embedding, LSTM, LayerNorm, Linear, Module, MultiheadAttention, QuantConv2d, QuantLSTM,
  QuantLinear, StateDictError, TransformerEncoder, TransformerEncoderLayer, buffer, parameter,
} from '../src/index.js';

class Leaf extends Module {
  weight = parameter(tf.ones([2, 3]));
  bias: tf.Variable | null = null;
  _amax = buffer(tf.scalar(1));
  forward(x: tf.Tensor): tf.Tensor {
    return tf.matMul(x, this.weight, false, true);
  }
}
class Tree extends Module {
  conv1 = new Leaf();
  fc = new Leaf();
  forward(x: tf.Tensor): tf.Tensor {
    return this.fc.call(this.conv1.call(x));
  }
}

describe('Module', () => {
  it('names parameters, buffers and submodules by dotted field path', () => {
    const m = new Tree();
    expect([...m.namedParameters()].map(([n]) => n)).toEqual(['conv1.weight', 'fc.weight']);
    expect([...m.namedBuffers()].map(([n]) => n)).toEqual(['conv1._amax', 'fc._amax']);
    expect([...m.namedModules()].map(([n]) => n)).toEqual(['', 'conv1', 'fc']);
    expect(Object.keys(m.stateDict())).toEqual(['conv1.weight', 'conv1._amax', 'fc.weight', 'fc._amax']);
    m.dispose();
  });

  it('getSubmodule finds a submodule by dotted path and names what is missing', () => {
    const m = new Tree();
    expect(m.getSubmodule('fc')).toBe(m.fc);
    expect(m.getSubmodule('')).toBe(m);
    expect(() => m.getSubmodule('fc.weight')).toThrow("Tree has no submodule 'fc.weight' (Leaf at 'fc' has no 'weight')");
    expect(() => m.getSubmodule('conv2')).toThrow("Tree has no submodule 'conv2'");
    expect(() => m.getSubmodule('training')).toThrow("Tree has no submodule 'training'");
    m.dispose();
  });

  it('train/eval reach every submodule', () => {
    const m = new Tree().eval();
    expect([...m.namedModules()].every(([, x]) => !x.training)).toBe(true);
    m.train();
    expect(m.fc.training).toBe(true);
    m.dispose();
  });

  it('loads a state dict and reports problems by key without changing anything', () => {
    const m = new Tree();
    const sd = m.stateDict();
    sd['fc.weight'] = { data: new Float32Array(6).fill(2), shape: [2, 3] };
    m.loadStateDict(sd);
    expect(Array.from(m.fc.weight.dataSync())).toEqual([2, 2, 2, 2, 2, 2]);

    const bad = { ...sd, 'conv1.weight': { data: new Float32Array(3), shape: [3] }, extra: sd['fc._amax']! };
    delete (bad as Record<string, unknown>)['fc._amax'];
    let err: unknown;
    try { m.loadStateDict(bad); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(StateDictError);
    expect(String(err)).toMatch(/missing keys: fc\._amax/);
    expect(String(err)).toMatch(/unexpected keys: extra/);
    expect(String(err)).toMatch(/conv1\.weight: checkpoint has \[3\], model has \[2, 3\]/);
    expect(Array.from(m.conv1.weight.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);

    const { missingKeys, unexpectedKeys } = m.loadStateDict({ 'fc.weight': sd['fc.weight']!, x: sd['fc._amax']! }, { strict: false });
    expect(missingKeys).toEqual(['conv1.weight', 'conv1._amax', 'fc._amax']);
    expect(unexpectedKeys).toEqual(['x']);
    m.dispose();
  });

  it('refuses a bad value anywhere in the dict before assigning anything, naming the key', () => {
    const m = new Linear(2, 2);
    const before = m.stateDict();
    const nines = { data: new Float32Array(4).fill(9), shape: [2, 2] };
    const attempts: Array<[unknown, RegExp]> = [
      [{ data: new Float32Array(1), shape: [2] }, /invalid values: bias shape \[2\] needs 2 elements but data has 1/],
      [{ data: Float64Array.of(1, 2), shape: [2] }, /bias\.data must be a Float32Array, got Float64Array\(2\) \[1, 2\]/],
      [null, /bias must be an NDArray \(\{ data: Float32Array, shape \}\), got null/],
      [tf.zeros([2]), /bias must be an NDArray .*, got Tensor/],
      [{ data: new Float32Array(2), shape: 'x' }, /bias shape must be an array of integers/],
    ];
    for (const [bias, message] of attempts) {
      expect(() => m.loadStateDict({ weight: nines, bias } as never)).toThrow(StateDictError);
      expect(() => m.loadStateDict({ weight: nines, bias } as never)).toThrow(message);
      expect(m.stateDict()).toEqual(before);
    }
    // Non-strict mode skips missing keys but still refuses bad values.
    expect(() => m.loadStateDict({ bias: null } as never, { strict: false })).toThrow(/bias must be an NDArray/);
    // Keys are looked up as own properties: a prototype member is not a state entry.
    expect(() => m.loadStateDict(Object.create({ weight: nines, bias: before.bias }) as never)).toThrow(/missing keys: weight, bias/);
    (attempts[3]![0] as tf.Tensor).dispose();
    m.dispose();
  });

  it('leaves tf.memory() where it was after dispose and after repeated loads into the same variables', () => {
    const base = tf.memory();
    for (let i = 0; i < 20; i++) new Linear(64, 32).dispose();
    expect(tf.memory().numTensors).toBe(base.numTensors);
    expect(tf.memory().numBytes).toBe(base.numBytes);
    const m = new Linear(64, 32);
    const loaded = tf.memory();
    const { weight, bias } = m;
    const sd = m.stateDict();
    for (let i = 0; i < 20; i++) {
      sd.weight!.data[0] = i;
      m.loadStateDict(sd);
    }
    expect(m.weight).toBe(weight);
    expect(m.bias).toBe(bias);
    expect(m.weight.dataSync()[0]).toBe(19);
    expect(tf.memory().numTensors).toBe(loaded.numTensors);
    expect(tf.memory().numBytes).toBe(loaded.numBytes);
    m.resetParameters();
    expect(tf.memory().numTensors).toBe(loaded.numTensors);
    m.dispose();
    expect(tf.memory().numTensors).toBe(base.numTensors);
  });

  it.each<[string, () => Module]>([
    ['Conv1d', () => new Conv1d(2, 3, 3)], ['Conv2d', () => new Conv2d(2, 3, 3)], ['Conv3d', () => new Conv3d(2, 3, 3)],
    ['ConvTranspose2d', () => new ConvTranspose2d(2, 3, 3)], ['BatchNorm2d', () => new BatchNorm2d(4)], ['LayerNorm', () => new LayerNorm([4])],
    ['Embedding', () => new Embedding(10, 4)], ['LSTM', () => new LSTM(4, 5, { numLayers: 2, bidirectional: true })],
    ['MultiheadAttention', () => new MultiheadAttention(8, 2)], ['QuantLinear', () => new QuantLinear(8, 4)],
    ['QuantConv2d', () => new QuantConv2d(2, 3, 3)], ['QuantLSTM', () => new QuantLSTM(4, 5)],
    ['TransformerEncoder', () => {
      // The encoder clones its template layer (as PyTorch deep-copies it); the template stays the caller's.
      const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
      const encoder = new TransformerEncoder(layer, 2);
      layer.dispose();
      return encoder;
    }],
  ])('%s: construction, resetParameters, loadStateDict and dispose keep tf.memory() flat', (_, make) => {
    const base = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) make().dispose();
    expect(tf.memory().numTensors).toBe(base);
    const m = make();
    const built = tf.memory().numTensors;
    for (const [, sub] of m.namedModules()) (sub as { resetParameters?: () => void }).resetParameters?.();
    m.loadStateDict(m.stateDict());
    expect(tf.memory().numTensors).toBe(built);
    m.dispose();
    expect(tf.memory().numTensors).toBe(base);
  });

  it('prints like PyTorch', () => {
    const m = new Tree();
    expect(m.toString()).toBe('Tree(\n  (conv1): Leaf()\n  (fc): Leaf()\n)');
    m.dispose();
  });
});
