// The quantized-module cases of modules.json: build each module from the case's arguments,
// load its params, and run forward and backward (shared by the golden test and the
// Chromium-equals-Node check of test/browser.ts).
import * as tf from '@tensorflow/tfjs-core';
import { goldenArray, loadGolden, type GoldenArray, type LstmCellCase, type ModuleCase } from '@pq/fixtures';
import type { NDArray } from '@pq/core';
import * as nn from '@pq/nn';
import { goldenTensor } from './golden.js';

/** Constructor arguments that are positional in PyTorch (and in pq), by module family. */
const POSITIONAL: Array<[RegExp, string[]]> = [
  [/^QuantLinear$/, ['inFeatures', 'outFeatures']],
  [/^QuantConv(Transpose)?[123]d$/, ['inChannels', 'outChannels', 'kernelSize']],
  [/^Quant(Max|Avg)Pool[123]d$/, ['kernelSize']],
  [/^QuantAdaptiveAvgPool[123]d$/, ['outputSize']],
  [/^QuantInstanceNorm[123]d$/, ['numFeatures']],
  [/^QuantLSTM(Cell)?$/, ['inputSize', 'hiddenSize']],
];

export type AnyModuleCase = ModuleCase | LstmCellCase;

export function isLstmCell(c: AnyModuleCase): c is LstmCellCase {
  return c.module === 'QuantLSTMCell';
}

export function moduleCases(): AnyModuleCase[] {
  return loadGolden('modules').cases.filter((c): c is AnyModuleCase => (c as { module?: string }).module !== undefined);
}

/** The case's module, its params (and buffers) loaded. */
export function buildModule(c: AnyModuleCase): nn.Module {
  const Cls = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[c.module];
  if (Cls === undefined) throw new Error(`@pq/nn exports no ${c.module}`);
  const names = POSITIONAL.find(([re]) => re.test(c.module))![1];
  const options: Record<string, unknown> = { ...c.args };
  const positional = names.map((n) => {
    const v = options[n];
    delete options[n];
    return v;
  });
  const m = new Cls(...positional, options);
  m.loadStateDict(stateOf(c));
  return m;
}

function stateOf(c: { params: Record<string, GoldenArray>; buffers?: Record<string, GoldenArray> }): Record<string, NDArray> {
  const out: Record<string, NDArray> = {};
  for (const [k, v] of Object.entries({ ...c.params, ...(c.buffers ?? {}) })) out[k] = goldenArray(v);
  return out;
}

/** A case's results: outputs (`y`, or `hy`/`cy`), `dx`, then `grad <param>` in c.grads order. */
export function runModuleCase(c: AnyModuleCase, m: nn.Module): Map<string, tf.Tensor> {
  const params = Object.keys(c.grads).map((k) => {
    const p = [...m.namedParameters()].find(([n]) => n === k);
    if (!p) throw new Error(`${c.name}: the module has no parameter ${k}`);
    return p[1];
  });
  const out = new Map<string, tf.Tensor>();
  const x = goldenTensor(c.x);
  let grads: tf.Tensor[];
  if (isLstmCell(c)) {
    const h0 = goldenTensor(c.h0);
    const c0 = goldenTensor(c.c0);
    const [hy, cy] = m.call(x, [h0, c0]) as [tf.Tensor, tf.Tensor];
    out.set('hy', hy).set('cy', cy);
    const dh = goldenTensor(c.dh);
    const dc = goldenTensor(c.dc);
    grads = tf.grads((xi: tf.Tensor) => {
      const [h, cc] = m.call(xi, [h0, c0]) as [tf.Tensor, tf.Tensor];
      return tf.add(tf.sum(tf.mul(h, dh)), tf.sum(tf.mul(cc, dc)));
    })([x, ...params]);
  } else {
    out.set('y', m.call(x) as tf.Tensor);
    grads = tf.grads((xi: tf.Tensor) => m.call(xi) as tf.Tensor)([x, ...params], goldenTensor(c.dy));
  }
  out.set('dx', grads[0]!);
  Object.keys(c.grads).forEach((k, i) => out.set(`grad ${k}`, grads[i + 1]!));
  return out;
}

/** Every case's results as plain numbers, keyed `<case>: <result>` (for comparing runtimes). */
export function moduleCaseNumbers(): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const c of moduleCases()) {
    const m = buildModule(c);
    tf.tidy(() => {
      for (const [k, t] of runModuleCase(c, m)) out[`${c.name}: ${k}`] = Array.from(t.dataSync());
    });
    m.dispose();
  }
  return out;
}
