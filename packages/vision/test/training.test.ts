// A QAT step on the accelerated path (enableAcceleration: wasm backend with pq's kernels) for
// each family: calibrated quantized ResNet-18 (BasicBlocks with residual quantizers) and a
// MobileNetV2 quantized by replaceWithQuant. Every parameter gets a finite gradient, the loss on
// the batch falls, the batch-norm statistics move, amax stays, and tf.memory() stays flat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, F, disableAcceleration, enableAcceleration, enableCalibration, finishCalibration, replaceWithQuant, type Module } from '@pq/nn';
import { mobilenet_v2, resnet18 } from '@pq/vision';
import { seedModel, seededInput, seededValue } from './seeded.js';

beforeAll(async () => {
  await enableAcceleration();
});
afterAll(() => disableAcceleration());

// Three images, not two: at 32x32 the last MobileNetV2 stages are 1x1, where a batch norm of two
// values outputs ±1 whatever they are, so its input gradient is zero but for eps and whether
// float rounding leaves any of it depends on the kernels' summation order.
const BATCH = [3, 3, 32, 32];
const labels = tf.tensor1d([3, 1, 7], 'int32');

function calibrate(model: Module): void {
  model.eval();
  enableCalibration(model);
  tf.tidy(() => model.call(seededInput('calib.0', BATCH)));
  finishCalibration(model);
}

function amaxValues(model: Module): number[] {
  return Object.entries(model.stateDict()).filter(([k]) => k.endsWith('._amax')).flatMap(([, v]) => Array.from(v.data));
}

describe.each([
  ['resnet18({ quantize: true })', () => resnet18({ quantize: true, numClasses: 10 })],
  ['mobilenet_v2 + replaceWithQuant', () => {
    const m = mobilenet_v2({ numClasses: 10, dropout: 0 });
    replaceWithQuant(m);
    return m;
  }],
] as const)('%s: a training step', (_name, build: () => Module) => {
  it('gives every parameter a finite gradient, lowers the loss, updates BN statistics, keeps amax and memory flat', () => {
    const model = build();
    seedModel(model, seededValue);
    calibrate(model);
    const amax = amaxValues(model);
    model.train();
    const x = seededInput('train.x', BATCH);
    const loss = (): tf.Scalar => F.crossEntropy(model.call(x) as tf.Tensor, labels) as tf.Scalar;

    const params = model.parameters();
    const bn = [...model.namedModules()].find(([, m]) => m instanceof BatchNorm2d)![1] as BatchNorm2d;
    const tracked = bn.num_batches_tracked!.dataSync()[0]!;
    const optimizer = tf.train.sgd(0.02);
    /** One SGD step; returns the loss before it and how many parameters got a non-zero gradient. */
    const step = (): { loss: number; nonZero: number } => {
      const { value, grads } = tf.variableGrads(loss, params);
      let nonZero = 0;
      for (const [name, g] of Object.entries(grads)) {
        const data = g.dataSync();
        expect(data.every(Number.isFinite), name).toBe(true);
        if (data.some((v) => v !== 0)) nonZero += 1;
      }
      optimizer.applyGradients(grads);
      const result = { loss: value.dataSync()[0]!, nonZero };
      tf.dispose([value, ...Object.values(grads)]);
      return result;
    };
    const first = step();
    expect(first.nonZero).toBe(params.length);
    const tensors = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(bn.num_batches_tracked!.dataSync()[0]).toBe(tracked + 2);
    const after = tf.tidy(() => loss().dataSync()[0]!);
    expect(after).toBeLessThan(first.loss);
    expect(amaxValues(model)).toEqual(amax);
    optimizer.dispose();
    x.dispose();
    model.dispose();
  });
});
