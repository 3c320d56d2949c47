// Quantizing imported models: replaceWithQuant and quantModules build pq's quant layers in an
// imported graph, calibration works through it, the Q/DQ export runs in ONNX Runtime with the
// pairs where pq puts them for its own layers, and QAT trains through the functional ops.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { INT8_DEFAULT_CFG, decodeOnnx, enableCalibration, exportOnnx, finishCalibration, quantModules, quantize, quantizers, replaceWithQuant } from '@pq/nn';
import { importOnnx } from '../src/index.js';
import { fixture, maxAbsDiff, runOrt, seeded } from './helpers.js';

function calibrate(model: ReturnType<typeof importOnnx>, shape: number[], method: 'percentile' | 'mse' = 'percentile'): void {
  enableCalibration(model);
  for (let i = 0; i < 2; i++) tf.tidy(() => model.call(seeded(shape, 40 + i)));
  finishCalibration(model, method);
}

/** For each Conv / Gemm / MatMul node, the op types producing its inputs. */
function producers(bytes: Uint8Array): Array<[string, string[]]> {
  const { graph } = decodeOnnx(bytes);
  const by = new Map<string, string>();
  for (const n of graph.node) for (const o of n.output ?? []) by.set(o, n.opType ?? '');
  return graph.node.filter((n) => ['Conv', 'Gemm', 'MatMul'].includes(n.opType ?? '')).map((n) => [n.opType!, (n.input ?? []).slice(0, 2).map((i) => by.get(i) ?? 'initializer')]);
}

/**
 * ORT runs `bytes` (at 'basic', which keeps the Q/DQ nodes: the same fake-quant float math as
 * pq) to pq's forward, up to a value that lands on a rounding boundary and moves one step; one
 * step of the classifier's input quantizer `last` bounds what that does to the logits here (as
 * in @pq/nn's own Q/DQ export tests).
 */
async function expectOrtMatches(model: ReturnType<typeof importOnnx>, bytes: Uint8Array, x: tf.Tensor, last: string): Promise<void> {
  const [ort] = await runOrt(bytes, [x]);
  const ours = tf.tidy(() => (model.call(x) as tf.Tensor).dataSync());
  const step = Math.max(...quantizers(model).get(last)!.amax!.dataSync()) / 127;
  expect(maxAbsDiff(ort!.data, ours)).toBeLessThanOrEqual(Math.max(1e-4, step));
}

describe('quantizing an imported model', () => {
  it('replaceWithQuant: every Conv and Gemm takes Q/DQ inputs; ORT runs the export to pq forward', async () => {
    const model = importOnnx(fixture('resnet18_op13.onnx'));
    const replaced = replaceWithQuant(model);
    expect(replaced).toHaveLength(22); // 20 convolutions, the classifier, the global average pool
    expect(replaced).toContain('layer1.0.conv1');
    expect(replaced).toContain('fc');
    calibrate(model, [2, 3, 32, 32]);
    expect([...quantizers(model).values()].every((q) => q.amax !== null)).toBe(true);
    const x = seeded([2, 3, 32, 32], 3);
    const bytes = exportOnnx(model, x, { dynamicBatch: false });
    const links = producers(bytes);
    expect(links).toHaveLength(21);
    for (const [, inputs] of links) expect(inputs).toEqual(['DequantizeLinear', 'DequantizeLinear']);
    await expectOrtMatches(model, bytes, x, 'fc._input_quantizer');
    model.dispose();
    x.dispose();
  });

  it('quantModules.initialize(): the import builds quant layers directly', () => {
    quantModules.initialize();
    let model;
    try {
      model = importOnnx(fixture('transformer_op17.onnx'));
    } finally {
      quantModules.deactivate();
    }
    const types = new Set([...model.namedModules()].map(([, m]) => m.typeName));
    expect(types.has('QuantLinear')).toBe(true);
    expect(types.has('Linear')).toBe(false);
    expect(quantizers(model).size).toBe(16); // 8 linear layers, input and weight each
    model.dispose();
  });

  it("ModelOpt's quantize(model, INT8_DEFAULT_CFG, forwardLoop) on an imported model; the export runs", async () => {
    const model = importOnnx(fixture('mobilenet_v2_op17_dynamic.onnx'));
    const x = seeded([2, 3, 32, 32], 8);
    quantize(model, INT8_DEFAULT_CFG, (m) => tf.tidy(() => void m.call(x)));
    const qs = [...quantizers(model)];
    expect(qs.filter(([n]) => n.endsWith('_weight_quantizer')).every(([, q]) => q.amax!.size > 1)).toBe(true); // per channel
    expect(qs.filter(([n]) => n.endsWith('_input_quantizer')).every(([, q]) => q.amax!.size === 1)).toBe(true);
    await expectOrtMatches(model, exportOnnx(model, x), x, 'classifier.1._input_quantizer');
    model.dispose();
    x.dispose();
  });

  it('QAT through the functional ops of a transformer: the loss falls, memory stays flat, the export runs', async () => {
    const model = importOnnx(fixture('transformer_op13_dynamic.onnx'));
    replaceWithQuant(model);
    calibrate(model, [4, 5, 16], 'mse');
    model.train();
    const x = seeded([4, 5, 16], 11);
    const target = seeded([4, 5, 16], 12, 0.5);
    const optimizer = tf.train.adam(1e-2);
    const params = model.parameters().filter((p) => p.trainable);
    const losses: number[] = [];
    let tensors = 0;
    for (let step = 0; step < 6; step++) {
      const value = optimizer.minimize(() => tf.losses.meanSquaredError(target, model.call(x) as tf.Tensor) as tf.Scalar, true, params)!;
      losses.push(value.dataSync()[0]!);
      value.dispose();
      if (step === 1) tensors = tf.memory().numTensors;
      if (step > 1) expect(tf.memory().numTensors).toBe(tensors);
    }
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.9);
    model.eval();
    const bytes = exportOnnx(model, x, { inputNames: ['input'], outputNames: ['output'] });
    for (const batch of [4, 2]) {
      const xb = seeded([batch, 5, 16], batch);
      const [ort] = await runOrt(bytes, [xb]);
      const ours = tf.tidy(() => (model.call(xb) as tf.Tensor).dataSync());
      expect(maxAbsDiff(ort!.data, ours)).toBeLessThanOrEqual(1e-4);
      xb.dispose();
    }
    optimizer.dispose();
    model.dispose();
    tf.dispose([x, target]);
  });
});
