// Every float layer against PyTorch 1.13 (values in test/fixtures/float_layers.json): construct
// with the same arguments, load PyTorch's state dict, run forward, and compare the output and
// the gradients of sum(y * dy) with respect to the input and every parameter.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expectClose, fixture, ndOf, tensorOf, type Arr } from './util.js';
import * as layers from '@pq/nn';
import type { Module } from '@pq/nn';

const f = fixture();

function build(c: { module: string; args: unknown[]; options: Record<string, unknown> }): Module {
  const Ctor = (layers as unknown as Record<string, new (...a: unknown[]) => Module>)[c.module];
  if (Ctor === undefined) throw new Error(`no layer ${c.module}`);
  // Options go last when there are any (a layer with optional positional arguments, such as
  // Hardtanh(minVal, maxVal, o), would read a lone {} as its first argument).
  const optionless = c.module.startsWith('Adaptive') || Object.keys(c.options).length === 0;
  return optionless ? new Ctor(...c.args) : new Ctor(...c.args, c.options);
}

function loadParams(m: Module, params: Record<string, Arr>): void {
  m.loadStateDict(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, ndOf(v)])));
}

describe('float layers match PyTorch', () => {
  for (const c of f.modules) {
    it(c.name, () => {
      const m = build(c);
      loadParams(m, c.params);
      m.train(c.train);
      const x = tf.variable(tensorOf(c.x));
      const dy = tensorOf(c.dy);
      let y: tf.Tensor | null = null;
      const params = [...m.namedParameters()];
      const { grads } = tf.variableGrads(() => {
        y = tf.keep(m.call(x) as tf.Tensor);
        return tf.sum(tf.mul(y, dy)) as tf.Scalar;
      }, [x, ...params.map(([, v]) => v)]);
      expectClose(y!, c.y, 'y');
      expectClose(grads[x.name]!, c.dx, 'dx');
      expect(params.map(([k]) => k).sort()).toEqual(Object.keys(c.grads).sort());
      for (const [name, v] of params) expectClose(grads[v.name]!, c.grads[name], `d${name}`);
      m.dispose();
      x.dispose();
    });
  }
});

describe('recurrent layers match PyTorch', () => {
  for (const c of f.lstmCells) {
    it(c.name, () => {
      const m = new layers.LSTMCell(c.args[0], c.args[1], c.options);
      loadParams(m, c.params);
      const [x, h0, c0] = [tf.variable(tensorOf(c.x)), tf.variable(tensorOf(c.h0)), tf.variable(tensorOf(c.c0))];
      const params = [...m.namedParameters()];
      let out: tf.Tensor[] = [];
      const { grads } = tf.variableGrads(() => {
        out = (m.call(x, [h0, c0]) as tf.Tensor[]).map((t) => tf.keep(t));
        return tf.add(tf.sum(tf.mul(out[0]!, tensorOf(c.dh))), tf.sum(tf.mul(out[1]!, tensorOf(c.dc)))) as tf.Scalar;
      }, [x, h0, c0, ...params.map(([, v]) => v)]);
      expectClose(out[0]!, c.h1, 'h1');
      expectClose(out[1]!, c.c1, 'c1');
      expectClose(grads[x.name]!, c.dx, 'dx');
      expectClose(grads[h0.name]!, c.dh0, 'dh0');
      expectClose(grads[c0.name]!, c.dc0, 'dc0');
      for (const [name, v] of params) expectClose(grads[v.name]!, c.grads[name], `d${name}`);
    });
  }
  for (const c of f.lstms) {
    it(c.name, () => {
      const m = new layers.LSTM(c.args[0], c.args[1], c.options);
      loadParams(m, c.params);
      m.eval();
      const x = tf.variable(tensorOf(c.x));
      const hx: [tf.Tensor, tf.Tensor] | undefined = c.h0 ? [tensorOf(c.h0), tensorOf(c.c0)] : undefined;
      const params = [...m.namedParameters()];
      expect(params.map(([k]) => k)).toEqual(Object.keys(c.params));
      let res: [tf.Tensor, [tf.Tensor, tf.Tensor]] | null = null;
      const { grads } = tf.variableGrads(() => {
        const [o, [h, cc]] = m.call(x, hx) as [tf.Tensor, [tf.Tensor, tf.Tensor]];
        res = [tf.keep(o), [tf.keep(h), tf.keep(cc)]];
        const [out, [hn, cn]] = res;
        return tf.addN([tf.sum(tf.mul(out, tensorOf(c.dout))), tf.sum(tf.mul(hn, tensorOf(c.dhn))), tf.sum(tf.mul(cn, tensorOf(c.dcn)))]) as tf.Scalar;
      }, [x, ...params.map(([, v]) => v)]);
      const [out, [hn, cn]] = res!;
      expectClose(out, c.out, 'output');
      expectClose(hn, c.hn, 'h_n');
      expectClose(cn, c.cn, 'c_n');
      expectClose(grads[x.name]!, c.dx, 'dx');
      for (const [name, v] of params) expectClose(grads[v.name]!, c.grads[name], `d${name}`);
    });
  }
});

describe('layer reprs match PyTorch', () => {
  const made: Record<string, () => Module> = {
    'Conv2d(1, 10, 5)': () => new layers.Conv2d(1, 10, 5),
    'Conv2d(6, 9, [3, 2], {stride: [2, 1], padding: [2, 1], dilation: [1, 2], groups: 3, bias: false})': () =>
      new layers.Conv2d(6, 9, [3, 2], { stride: [2, 1], padding: [2, 1], dilation: [1, 2], groups: 3, bias: false }),
    "Conv1d(2, 3, 3, {padding: 'same'})": () => new layers.Conv1d(2, 3, 3, { padding: 'same' }),
    'ConvTranspose2d(4, 6, 3, {stride: 2, outputPadding: 1, groups: 2})': () => new layers.ConvTranspose2d(4, 6, 3, { stride: 2, outputPadding: 1, groups: 2 }),
    'Linear(320, 50)': () => new layers.Linear(320, 50),
    "Conv2d(3, 8, 3, {padding: 1, paddingMode: 'reflect'})": () => new layers.Conv2d(3, 8, 3, { padding: 1, paddingMode: 'reflect' }),
    'MaxPool2d(2)': () => new layers.MaxPool2d(2),
    'AvgPool1d(3)': () => new layers.AvgPool1d(3),
    'AvgPool2d(2, {stride: 1})': () => new layers.AvgPool2d(2, { stride: 1 }),
    'AdaptiveAvgPool2d([3, null])': () => new layers.AdaptiveAvgPool2d([3, null]),
    'InstanceNorm2d(3)': () => new layers.InstanceNorm2d(3),
    'LSTMCell(6, 5)': () => new layers.LSTMCell(6, 5),
    'LSTM(3, 4, {numLayers: 2, dropout: 0.5, bidirectional: true})': () => new layers.LSTM(3, 4, { numLayers: 2, dropout: 0.5, bidirectional: true }),
    'ReLU()': () => new layers.ReLU(),
    'Dropout()': () => new layers.Dropout(),
    'Flatten()': () => new layers.Flatten(),
    'Sequential(Conv2d(1, 2, 3), ReLU())': () => new layers.Sequential(new layers.Conv2d(1, 2, 3), new layers.ReLU()),
    'BatchNorm2d(3)': () => new layers.BatchNorm2d(3),
    'BatchNorm1d(4, {momentum: null, affine: false, trackRunningStats: false})': () =>
      new layers.BatchNorm1d(4, { momentum: null, affine: false, trackRunningStats: false }),
    'BatchNorm3d(2, {eps: 0.001, momentum: 0.3})': () => new layers.BatchNorm3d(2, { eps: 0.001, momentum: 0.3 }),
    'ReLU6()': () => new layers.ReLU6(),
    'ReLU6({inplace: true})': () => new layers.ReLU6({ inplace: true }),
    'Hardtanh()': () => new layers.Hardtanh(),
    'Hardtanh(-2, 3)': () => new layers.Hardtanh(-2, 3),
    'Hardswish()': () => new layers.Hardswish(),
    'Hardsigmoid()': () => new layers.Hardsigmoid(),
    'SiLU()': () => new layers.SiLU(),
    'LeakyReLU()': () => new layers.LeakyReLU(),
    'LeakyReLU(0.2, {inplace: true})': () => new layers.LeakyReLU(0.2, { inplace: true }),
    'GELU()': () => new layers.GELU(),
    "GELU({approximate: 'tanh'})": () => new layers.GELU({ approximate: 'tanh' }),
    'Softmax(1)': () => new layers.Softmax(1),
    'Softmax()': () => new layers.Softmax(),
    'LogSoftmax(-1)': () => new layers.LogSoftmax(-1),
    'ModuleList([Linear(2, 3), ReLU6()])': () => new layers.ModuleList([new layers.Linear(2, 3), new layers.ReLU6()]),
    'ModuleDict({conv: Conv2d(1, 2, 3), act: SiLU()})': () => new layers.ModuleDict({ conv: new layers.Conv2d(1, 2, 3), act: new layers.SiLU() }),
  };
  it('every fixture repr is covered', () => {
    expect(Object.keys(made).sort()).toEqual(Object.keys(f.reprs).sort());
  });
  for (const [key, make] of Object.entries(made)) {
    it(key, () => {
      const m = make();
      expect(m.toString()).toBe(f.reprs[key]);
      m.dispose();
    });
  }
});

describe('BatchNorm running statistics match PyTorch', () => {
  for (const c of f.batchNormRuns) {
    it(c.name, () => {
      const m = build(c);
      loadParams(m, c.params);
      const xs = (c.xs as Arr[]).map(tensorOf);
      (c.modes as boolean[]).slice(0, -1).forEach((train, i) => {
        m.train(train);
        tf.dispose(m.call(xs[i]!) as tf.Tensor);
      });
      m.train((c.modes as boolean[]).at(-1)!);
      const x = tf.variable(xs.at(-1)!);
      const params = [...m.namedParameters()];
      let y: tf.Tensor | null = null;
      const { grads } = tf.variableGrads(() => {
        y = tf.keep(m.call(x) as tf.Tensor);
        return tf.sum(tf.mul(y, tensorOf(c.dy))) as tf.Scalar;
      }, [x, ...params.map(([, v]) => v)]);
      expectClose(y!, c.y, 'y');
      expectClose(grads[x.name]!, c.dx, 'dx');
      for (const [name, v] of params) expectClose(grads[v.name]!, c.grads[name], `d${name}`);
      const after = m.stateDict();
      expect(Object.keys(after)).toEqual(Object.keys(c.after));
      for (const [k, v] of Object.entries(c.after as Record<string, Arr>)) expectClose(after[k]!.data, v, k);
      expect(after['num_batches_tracked']!.dtype).toBe('int64');
      tf.dispose([...xs, x, y!, ...Object.values(grads)]);
      m.dispose();
    });
  }
});

describe('containers and shape ops match PyTorch', () => {
  it('ModuleList and ModuleDict name their children as PyTorch does in state dicts', () => {
    const list = new layers.ModuleList([new layers.Linear(2, 3), new layers.BatchNorm1d(3)]);
    const dict = new layers.ModuleDict({ conv: new layers.Conv2d(1, 2, 3), bn: new layers.BatchNorm2d(2) });
    expect(Object.keys(list.stateDict())).toEqual(f.containers.list);
    expect(Object.keys(dict.stateDict())).toEqual(f.containers.dict);
    list.dispose();
    dict.dispose();
  });

  it('F.flatten(x, 1, 2) and F.adaptiveAvgPool2d(x, [2, 3])', () => {
    const x = tensorOf(f.shapeOps.x);
    expectClose(layers.F.flatten(x, 1, 2), f.shapeOps.flatten_1_2, 'flatten');
    expectClose(layers.F.adaptiveAvgPool2d(x, [2, 3]), f.shapeOps.adaptiveAvgPool2d_2_3, 'adaptiveAvgPool2d');
    x.dispose();
  });
});
