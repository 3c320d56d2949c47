// BatchNorm, the activations and ModuleList-built models in ONNX Runtime: each exported graph
// computes what pq computes ('basic' optimization keeps the exported nodes as they are).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, F, Flatten, Linear, Module, ModuleList, QuantConv2d, QuantLinear, ReLU6,
  Sequential, enableCalibration, exportOnnx, finishCalibration, manualSeed, quantModules, quantizers,
} from '@pq/nn';
import { graphView, maxAbsDiff, runOrt, runPq, seeded } from './ort.js';

async function worstDiff(model: Module, shape: number[], opset: number): Promise<number> {
  const bytes = exportOnnx(model, seeded([1, ...shape.slice(1)], 1), { opset });
  let worst = 0;
  for (const batch of [1, shape[0]!]) {
    const x = seeded([batch, ...shape.slice(1)], 300 + batch, 2);
    const ours = await runOrt(bytes, [x]);
    const ref = runPq(model, [x]);
    ours.forEach((r, i) => {
      expect(r.dims).toEqual(ref[i]!.dims);
      worst = Math.max(worst, maxAbsDiff(r.data, ref[i]!.data));
    });
    x.dispose();
  }
  return worst;
}

/** Runs a few training batches so the running statistics are not the initial ones. */
function train(model: Module, shape: number[]): void {
  model.train();
  for (let i = 0; i < 3; i++) tf.tidy(() => model.call(seeded(shape, 40 + i, 3)));
  model.eval();
}

class Activations extends Module {
  forward(x: tf.Tensor): tf.Tensor[] {
    const wide = F.mul(x, 4);
    return [
      F.relu6(wide), F.hardtanh(x, -0.5, 1.5), F.hardswish(wide), F.hardsigmoid(wide), F.silu(wide), F.leakyRelu(x, 0.2),
      F.gelu(wide), F.gelu(wide, { approximate: 'tanh' }), F.softmax(x, 1), F.logSoftmax(x, -1), F.flatten(x, 1),
    ];
  }
}

describe('exportOnnx: BatchNorm and the activations', () => {
  afterEach(() => quantModules.deactivate());

  it('every activation: Clip, HardSwish/HardSigmoid, Sigmoid*Mul, LeakyRelu, Erf/Tanh forms (opset 13) or Gelu (opset 20)', async () => {
    const model = new Activations();
    const ops13 = graphView(exportOnnx(model, seeded([1, 3, 4], 1))).nodes.map((n) => n.opType);
    for (const op of ['Clip', 'HardSigmoid', 'Sigmoid', 'LeakyRelu', 'Erf', 'Tanh', 'Softmax', 'LogSoftmax', 'Flatten']) expect(ops13).toContain(op);
    expect(ops13).not.toContain('HardSwish'); // opset 14
    const ops20 = graphView(exportOnnx(model, seeded([1, 3, 4], 1), { opset: 20 })).nodes.map((n) => n.opType);
    expect(ops20.filter((o) => o === 'Gelu')).toHaveLength(2);
    expect(ops20).toContain('HardSwish');
    for (const opset of [13, 20]) expect(await worstDiff(model, [5, 3, 4], opset)).toBeLessThanOrEqual(1e-5);
  });

  it('BatchNorm with running statistics is BatchNormalization; without, ReduceMean over N and the spatial dims', async () => {
    manualSeed(11);
    const bn = new BatchNorm2d(3, { momentum: null });
    tf.tidy(() => bn.weight!.assign(tf.tensor1d([0.5, -1, 2])));
    train(bn, [4, 3, 5, 5]);
    expect(graphView(exportOnnx(bn, seeded([1, 3, 5, 5], 1))).nodes.map((n) => n.opType)).toEqual(['BatchNormalization']);
    expect(await worstDiff(bn, [6, 3, 5, 5], 13)).toBeLessThanOrEqual(1e-5);
    const batchStats = new Sequential(new BatchNorm1d(4, { trackRunningStats: false }), new BatchNorm1d(4, { trackRunningStats: false, affine: false }));
    for (const opset of [13, 18]) {
      expect(graphView(exportOnnx(batchStats, seeded([1, 4, 5], 1), { opset })).nodes.filter((n) => n.opType === 'ReduceMean')).toHaveLength(4);
      expect(await worstDiff(batchStats, [6, 4, 5], opset)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('quantModules.initialize leaves BatchNorm and ReLU6 float; the quantized conv + BN + ReLU6 model runs in ORT', async () => {
    manualSeed(12);
    quantModules.initialize();
    const blocks = new ModuleList([new Sequential(new Conv2d(3, 6, 3, { padding: 1 }), new BatchNorm2d(6), new ReLU6())]);
    const head = new Sequential(new AdaptiveAvgPool2d(1), new Flatten(), new Linear(6, 4));
    quantModules.deactivate();
    class Net extends Module {
      blocks = blocks;
      head = head;
      forward(x: tf.Tensor): tf.Tensor {
        for (const b of this.blocks) x = b.call(x) as tf.Tensor;
        return this.head.call(x) as tf.Tensor;
      }
    }
    const net = new Net();
    const conv = blocks.at(0) as Sequential;
    expect([conv.at(0).constructor, conv.at(1).constructor, conv.at(2).constructor, head.at(2).constructor]).toEqual([QuantConv2d, BatchNorm2d, ReLU6, QuantLinear]);
    expect(Object.keys(net.stateDict())).toContain('blocks.0.1.num_batches_tracked');
    train(net, [4, 3, 6, 6]);
    enableCalibration(net);
    tf.tidy(() => net.call(seeded([4, 3, 6, 6], 50, 3)));
    finishCalibration(net);
    const ops = graphView(exportOnnx(net, seeded([1, 3, 6, 6], 1))).nodes.map((n) => n.opType);
    expect(ops.slice(0, 7)).toEqual(['QuantizeLinear', 'DequantizeLinear', 'QuantizeLinear', 'DequantizeLinear', 'Conv', 'BatchNormalization', 'Clip']);
    // A rounding tie that ORT and pq break differently moves one input of the last layer by a
    // step; every input moving a step moves a logit by at most step * (max row sum of |w|).
    const step = quantizers(net).get('head.2._input_quantizer')!.amax!.dataSync()[0]! / 127;
    const rowSum = Math.max(...tf.tidy(() => tf.sum(tf.abs((head.at(2) as QuantLinear).weight), 1).arraySync() as number[]));
    expect(await worstDiff(net, [5, 3, 6, 6], 13)).toBeLessThanOrEqual(step * rowSum);
    net.dispose();
  });
});
