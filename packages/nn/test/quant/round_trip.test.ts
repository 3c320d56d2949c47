// A PyTorch-named state dict (golden params plus quantizer amax) loads, saves to safetensors
// and JSON, and loads back bit-identically.
import * as tf from '@tensorflow/tfjs-core';
import './helpers/tf.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenArray, loadGolden, type ModuleCase } from '@pq/fixtures';
import type { NDArray } from '@pq/core';
import { Module, QuantConv2d, QuantLinear, decodeSafetensors, decodeStateJson, encodeSafetensors, encodeStateJson } from '@pq/nn';
import { loadSafetensors, loadStateJson, saveSafetensors, saveStateJson } from '@pq/nn/node';

class Net extends Module {
  conv1 = new QuantConv2d(3, 6, 3, { padding: 1 });
  fc1 = new QuantLinear(20, 10);
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
}

function perRowAmax(w: NDArray): NDArray {
  const rows = w.shape[0]!;
  const per = w.data.length / rows;
  const data = new Float32Array(rows);
  for (let r = 0; r < rows; r++) for (let i = 0; i < per; i++) data[r] = Math.max(data[r]!, Math.abs(w.data[r * per + i]!));
  return { data, shape: [rows, ...w.shape.slice(1).map(() => 1)] };
}

function pytorchState(): Record<string, NDArray> {
  const cases = loadGolden('modules').cases;
  const conv = cases.find((c): c is ModuleCase => c.name.startsWith('QuantConv2d 3->6'))!;
  const lin = cases.find((c): c is ModuleCase => c.module === 'QuantLinear')!;
  const state: Record<string, NDArray> = {};
  for (const [prefix, c] of [['conv1', conv], ['fc1', lin]] as const) {
    for (const [k, v] of Object.entries(c.params)) state[`${prefix}.${k}`] = goldenArray(v);
    state[`${prefix}._input_quantizer._amax`] = { data: new Float32Array([Math.fround(2.7182817)]), shape: [] };
    state[`${prefix}._weight_quantizer._amax`] = perRowAmax(state[`${prefix}.weight`]!);
  }
  return state;
}

function expectSameState(a: Record<string, NDArray>, b: Record<string, NDArray>): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(a)) {
    expect(b[k]!.shape, k).toEqual(a[k]!.shape);
    expect(Buffer.from(b[k]!.data.buffer, b[k]!.data.byteOffset, b[k]!.data.byteLength).equals(
      Buffer.from(a[k]!.data.buffer, a[k]!.data.byteOffset, a[k]!.data.byteLength),
    ), k).toBe(true);
  }
}

describe('state dict round trip', () => {
  it('loads PyTorch names, then safetensors and JSON bring back the same bits', async () => {
    const original = pytorchState();
    const model = new Net();
    model.loadStateDict(original);
    const saved = model.stateDict();
    expectSameState(original, saved);
    expect(Object.keys(saved)).toEqual([
      'conv1.weight', 'conv1.bias', 'conv1._input_quantizer._amax', 'conv1._weight_quantizer._amax',
      'fc1.weight', 'fc1.bias', 'fc1._input_quantizer._amax', 'fc1._weight_quantizer._amax',
    ]);

    const fromSafetensors = new Net();
    fromSafetensors.loadStateDict(decodeSafetensors(encodeSafetensors(saved)));
    expectSameState(saved, fromSafetensors.stateDict());
    const fromJson = new Net();
    fromJson.loadStateDict(decodeStateJson(encodeStateJson(saved)));
    expectSameState(saved, fromJson.stateDict());

    const dir = mkdtempSync(join(tmpdir(), 'pq-quant-'));
    try {
      await saveSafetensors(join(dir, 'model.safetensors'), saved);
      await saveStateJson(join(dir, 'model.json'), saved);
      const a = new Net();
      a.loadStateDict(await loadSafetensors(join(dir, 'model.safetensors')));
      expectSameState(saved, a.stateDict());
      const b = new Net();
      b.loadStateDict(await loadStateJson(join(dir, 'model.json')));
      expectSameState(saved, b.stateDict());
      for (const m of [a, b]) m.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const m of [model, fromSafetensors, fromJson]) m.dispose();
  });
});
