// The Transformer layers and ops against PyTorch 1.13 (test/fixtures/transformer_layers.json,
// made by make_transformer_layers.py): load PyTorch's state dict, run forward with the same
// masks, and compare the outputs and the gradients of sum(output * upstream) with respect to
// every input and parameter, within 1e-4 of the largest expected magnitude.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { F, LayerNorm, TransformerEncoder, TransformerEncoderLayer, type Module } from '@pq/nn';
import * as nn from '@pq/nn';
import { expectClose, ndOf, type Arr } from './util.js';

const f = JSON.parse(readFileSync(new URL('../fixtures/transformer_layers.json', import.meta.url), 'utf8'));
const TOL = 1e-4;

type Typed = Arr & { dtype?: 'bool' | 'int32' };

function tensor(a: Typed): tf.Tensor {
  if (a.dtype === 'bool') return tf.tensor(a.data.map((v) => v !== 0), a.shape, 'bool');
  if (a.dtype === 'int32') return tf.tensor(a.data, a.shape, 'int32');
  return tf.tensor(Float32Array.from(a.data), a.shape, 'float32');
}

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Python call kwargs as pq's call options (masks as tensors). */
function callOptions(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), typeof v === 'object' && v !== null ? tensor(v as Typed) : v]));
}

function build(c: any): Module {
  if (c.module === 'TransformerEncoder') {
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true });
    const enc = new TransformerEncoder(layer, 2, { norm: new LayerNorm(8) });
    layer.dispose();
    return enc;
  }
  const Ctor = (nn as unknown as Record<string, new (...a: unknown[]) => Module>)[c.module]!;
  return new Ctor(...c.args, c.options);
}

function checkCase(c: any): void {
  const m = build(c);
  m.loadStateDict(Object.fromEntries(Object.entries(c.params as Record<string, Arr>).map(([k, v]) => [k, ndOf(v)])));
  m.train(true);
  const inputs = (c.inputs as Arr[]).map((a) => tf.variable(tensor(a)));
  const args = (c.inputIndex as number[]).map((i) => inputs[i]!);
  const opts = callOptions(c.callOptions);
  const params = [...m.namedParameters()];
  expect(params.map(([k]) => k).sort()).toEqual(Object.keys(c.grads).sort());
  let outs: tf.Tensor[] = [];
  const { grads, value } = tf.variableGrads(() => {
    const r = m.call(...args, ...(Object.keys(opts).length > 0 ? [opts] : [])) as tf.Tensor | [tf.Tensor, tf.Tensor | null];
    outs = (Array.isArray(r) ? r.filter((t): t is tf.Tensor => t !== null) : [r]).map((t) => tf.keep(t));
    return tf.addN(outs.map((o, i) => tf.sum(tf.mul(o, tensor(c.upstream[i]))))) as tf.Scalar;
  }, [...inputs, ...params.map(([, v]) => v)]);
  expect(outs.length).toBe(c.outputs.length);
  outs.forEach((o, i) => expectClose(o, c.outputs[i], `output ${i}`, TOL));
  inputs.forEach((x, i) => expectClose(grads[x.name]!, c.dinputs[i], `d input ${i}`, TOL));
  for (const [name, v] of params) expectClose(grads[v.name]!, c.grads[name], `d ${name}`, TOL);
  tf.dispose([...outs, ...inputs, value, ...Object.values(grads)]);
  m.dispose();
}

describe('Transformer layers match PyTorch 1.13 (outputs and gradients)', () => {
  for (const c of f.modules) it(c.name, () => checkCase(c));
  it(f.encoder.name, () => checkCase(f.encoder));

  it('memory stays flat across forward, backward and eval calls', () => {
    const enc = build(f.encoder);
    const x = tf.variable(tf.randomNormal([2, 5, 8]));
    const kpm = tensor(f.encoder.callOptions.src_key_padding_mask);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(enc.call(x, { srcKeyPaddingMask: kpm }) as tf.Tensor) as tf.Scalar);
      tf.dispose([value, ...Object.values(grads)]);
      enc.eval();
      (enc.call(x) as tf.Tensor).dispose();
      enc.train();
    };
    step();
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, kpm]);
    enc.dispose();
  });

  it('Embedding with paddingIdx: rows, and no gradient for the padding row', () => {
    const e = f.embedding;
    const m = new nn.Embedding(e.args[0], e.args[1], e.options);
    m.loadStateDict({ weight: ndOf(e.params.weight) });
    const { grads } = tf.variableGrads(() => {
      const y = m.call(tensor(e.indices)) as tf.Tensor;
      expectClose(y, e.y, 'y', TOL);
      return tf.sum(tf.mul(y, tensor(e.dy))) as tf.Scalar;
    }, [m.weight]);
    expectClose(grads[m.weight.name]!, e.dweight, 'dweight', TOL);
    m.dispose();
  });
});

describe('functional ops match PyTorch 1.13', () => {
  const fns: Record<string, (...t: tf.Tensor[]) => tf.Tensor> = {
    'matmul 1-D . 1-D': F.matmul,
    'matmul [3, 4] x [4]': F.matmul,
    'matmul [4] x [2, 4, 3]': F.matmul,
    'matmul [2, 3, 4] x [4, 5]': F.matmul,
    'matmul broadcast [2, 1, 3, 4] x [5, 4, 2]': F.matmul,
    bmm: F.bmm,
    'permute (2, 0, 1)': (t) => F.permute(t, [2, 0, 1]),
    'transpose (-1, 0)': (t) => F.transpose(t, -1, 0),
    'layer_norm [4] with weight and bias': (t, w, b) => F.layerNorm(t, [4], { weight: w, bias: b }),
    'mse_loss mean': (a, b) => F.mseLoss(a, b),
    'mse_loss sum': (a, b) => F.mseLoss(a, b, { reduction: 'sum' }),
    'mse_loss none': (a, b) => F.mseLoss(a, b, { reduction: 'none' }),
  };
  it('every fixture case has a pq function', () => {
    expect(Object.keys(fns).sort()).toEqual(f.functional.map((c: any) => c.name).sort());
  });
  for (const c of f.functional) {
    it(c.name, () => {
      const xs = (c.inputs as Arr[]).map((a) => tf.variable(tensor(a)));
      const { grads } = tf.variableGrads(() => {
        const out = fns[c.name]!(...xs);
        expectClose(out, c.out, 'out', TOL);
        return tf.sum(tf.mul(out, tensor(c.up))) as tf.Scalar;
      }, xs);
      xs.forEach((x, i) => expectClose(grads[x.name]!, c.grads[i], `d input ${i}`, TOL));
      tf.dispose([...xs, ...Object.values(grads)]);
    });
  }
  for (const c of f.sdpa) {
    it(c.name, () => {
      const [q, k, v] = [c.q, c.k, c.v].map((a: Arr) => tf.variable(tensor(a)));
      const { grads } = tf.variableGrads(() => {
        const out = F.scaledDotProductAttention(q!, k!, v!, { attnMask: c.mask ? tensor(c.mask) : null, isCausal: c.isCausal });
        expectClose(out, c.out, 'out', TOL);
        return tf.sum(tf.mul(out, tensor(c.up))) as tf.Scalar;
      }, [q!, k!, v!]);
      expectClose(grads[q!.name]!, c.dq, 'dq', TOL);
      expectClose(grads[k!.name]!, c.dk, 'dk', TOL);
      expectClose(grads[v!.name]!, c.dv, 'dv', TOL);
      tf.dispose([q!, k!, v!, ...Object.values(grads)]);
    });
  }
});

describe('reprs match PyTorch', () => {
  const made: Record<string, () => Module> = {
    'LayerNorm(6)': () => new nn.LayerNorm(6),
    'LayerNorm([3, 4], {eps: 1e-3, elementwiseAffine: false})': () => new nn.LayerNorm([3, 4], { eps: 1e-3, elementwiseAffine: false }),
    'Embedding(7, 4, {paddingIdx: -1})': () => new nn.Embedding(7, 4, { paddingIdx: -1 }),
    'Embedding(10, 3)': () => new nn.Embedding(10, 3),
  };
  for (const [key, make] of Object.entries(made)) {
    it(key, () => {
      const m = make();
      expect(m.toString()).toBe(f.reprs[key]);
      m.dispose();
    });
  }
});
