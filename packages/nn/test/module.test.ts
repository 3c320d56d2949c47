import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { Module, StateDictError, buffer, parameter } from '../src/index.js';

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

  it('prints like PyTorch', () => {
    const m = new Tree();
    expect(m.toString()).toBe('Tree(\n  (conv1): Leaf()\n  (fc): Leaf()\n)');
    m.dispose();
  });
});
