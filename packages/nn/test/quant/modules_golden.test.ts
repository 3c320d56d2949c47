// Every quantized-module case of modules.json through the public API: construct the module
// from the case's arguments, load the case's params (and buffers) with loadStateDict, call it,
// and compare outputs, input gradients and parameter gradients within 1e-5 relative.
import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { describe, expect, it } from 'vitest';
import { goldenArray, loadGolden, type GoldenArray, type LstmCellCase, type ModuleCase } from '@pq/fixtures';
import * as nn from '@pq/nn';
import type { NDArray } from '@pq/core';
import { expectClose, goldenTensor } from './helpers/golden.js';

/** Constructor arguments that are positional in PyTorch (and in pq), by module family. */
const POSITIONAL: Array<[RegExp, string[]]> = [
  [/^QuantLinear$/, ['inFeatures', 'outFeatures']],
  [/^QuantConv(Transpose)?[123]d$/, ['inChannels', 'outChannels', 'kernelSize']],
  [/^Quant(Max|Avg)Pool[123]d$/, ['kernelSize']],
  [/^QuantAdaptiveAvgPool[123]d$/, ['outputSize']],
  [/^QuantInstanceNorm[123]d$/, ['numFeatures']],
  [/^QuantLSTM(Cell)?$/, ['inputSize', 'hiddenSize']],
];

type AnyModuleCase = ModuleCase | LstmCellCase;

function isLstmCell(c: AnyModuleCase): c is LstmCellCase {
  return c.module === 'QuantLSTMCell';
}

function build(c: AnyModuleCase): nn.Module {
  const Cls = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[c.module];
  if (Cls === undefined) throw new Error(`@pq/nn exports no ${c.module}`);
  const names = POSITIONAL.find(([re]) => re.test(c.module))![1];
  const options: Record<string, unknown> = { ...c.args };
  const positional = names.map((n) => {
    const v = options[n];
    delete options[n];
    return v;
  });
  return new Cls(...positional, options);
}

function stateOf(c: { params: Record<string, GoldenArray>; buffers?: Record<string, GoldenArray> }): Record<string, NDArray> {
  const out: Record<string, NDArray> = {};
  for (const [k, v] of Object.entries({ ...c.params, ...(c.buffers ?? {}) })) out[k] = goldenArray(v);
  return out;
}

const cases = loadGolden('modules').cases.filter((c): c is AnyModuleCase => c.module !== undefined);

describe('quantized modules (golden modules cases)', () => {
  for (const c of cases) {
    it(`${c.name}: output, input gradient and parameter gradients`, () => {
      const m = build(c);
      m.loadStateDict(stateOf(c));
      const params = Object.keys(c.grads).map((k) => [...m.namedParameters()].find(([n]) => n === k)![1]);
      expect(params.length).toBe(Object.keys(c.params).length);
      tf.tidy(() => {
        const x = goldenTensor(c.x);
        if (isLstmCell(c)) {
          const h0 = goldenTensor(c.h0);
          const c0 = goldenTensor(c.c0);
          const [hy, cy] = m.call(x, [h0, c0]) as [tf.Tensor, tf.Tensor];
          expectClose(hy, c.hy, 'hy');
          expectClose(cy, c.cy, 'cy');
          const dh = goldenTensor(c.dh);
          const dc = goldenTensor(c.dc);
          const [dx, ...dps] = tf.grads((xi: tf.Tensor) => {
            const [h, cc] = m.call(xi, [h0, c0]) as [tf.Tensor, tf.Tensor];
            return tf.add(tf.sum(tf.mul(h, dh)), tf.sum(tf.mul(cc, dc)));
          })([x, ...params]);
          expectClose(dx!, c.dx, 'dx');
          Object.entries(c.grads).forEach(([k, g], i) => expectClose(dps[i]!, g, `grad ${k}`));
          return;
        }
        expectClose(m.call(x) as tf.Tensor, c.y, 'y');
        const dy = goldenTensor(c.dy);
        const [dx, ...dps] = tf.grads((xi: tf.Tensor) => m.call(xi) as tf.Tensor)([x, ...params], dy);
        expectClose(dx!, c.dx, 'dx');
        Object.entries(c.grads).forEach(([k, g], i) => expectClose(dps[i]!, g, `grad ${k}`));
      });
      m.dispose();
    });
  }
});
