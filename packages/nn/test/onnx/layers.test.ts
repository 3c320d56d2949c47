import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import {
  F, AdaptiveAvgPool2d, Conv1d, Conv2d, Conv3d, Flatten, InstanceNorm1d, LSTM, LSTMCell, Linear, MaxPool3d, Module, QuantLSTM,
  QuantLSTMCell, Sequential, enableCalibration, exportOnnx, finishCalibration, manualSeed, quantizers,
} from '@pq/nn';
import { graphView, maxAbsDiff, runOrt, runPq, seeded } from './ort.js';
import { CellModel } from './models.js';

/** Exports on a batch-1 sample, runs batch 1 and 7 in ONNX Runtime, returns the worst difference. */
async function worstDiff(model: Module, shape: number[], o: { opset?: number; batchAxis?: number } = {}): Promise<number> {
  const axis = o.batchAxis ?? 0;
  const at = (b: number) => shape.map((d, i) => (i === axis ? b : d));
  const bytes = exportOnnx(model, seeded(at(1), 1), o.opset === undefined ? {} : { opset: o.opset });
  let worst = 0;
  for (const batch of [1, 7]) {
    const x = seeded(at(batch), 300 + batch);
    const ours = await runOrt(bytes, [x]);
    const ref = runPq(model, [x]);
    expect(ours.map((r) => r.dims)).toEqual(ref.map((r) => r.dims));
    ours.forEach((r, i) => (worst = Math.max(worst, maxAbsDiff(r.data, ref[i]!.data))));
    x.dispose();
  }
  return worst;
}

function calibrate(model: Module, shape: number[]): void {
  enableCalibration(model);
  for (let i = 0; i < 2; i++) tf.tidy(() => model.call(seeded(shape, 70 + i)));
  finishCalibration(model);
}

class SeqModel extends Module {
  constructor(readonly lstm: LSTM) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor[] {
    const [out, [h, c]] = this.lstm.call(x) as [tf.Tensor, [tf.Tensor, tf.Tensor]];
    return [out, h, c];
  }
}

describe('exportOnnx: more layers', () => {
  it('Conv1d (dilation, groups, padding same), Conv3d + MaxPool3d, opset 17', async () => {
    manualSeed(4);
    const one = new Sequential(new Conv1d(4, 6, 3, { dilation: 2, groups: 2, padding: 'same' }), new Flatten(), new Linear(60, 5));
    expect(await worstDiff(one, [1, 4, 10])).toBeLessThanOrEqual(1e-4);
    const three = new Sequential(new Conv3d(2, 3, 2, { stride: [1, 2, 1], padding: 1 }), new MaxPool3d(2));
    expect(await worstDiff(three, [1, 2, 4, 6, 4], { opset: 17 })).toBeLessThanOrEqual(1e-4);
  });

  it('InstanceNorm with running statistics exports as BatchNormalization in eval', async () => {
    manualSeed(5);
    const norm = new InstanceNorm1d(3, { affine: true, trackRunningStats: true });
    tf.tidy(() => norm.call(seeded([4, 3, 8], 2, 3))); // training step: updates the running stats
    norm.eval();
    expect(graphView(exportOnnx(norm, seeded([1, 3, 8], 1))).nodes.map((n) => n.opType)).toEqual(['BatchNormalization']);
    expect(await worstDiff(norm, [1, 3, 8])).toBeLessThanOrEqual(1e-4);
  });

  it('LSTMCell (zero state, then given state) and a 2-layer bidirectional LSTM, unrolled', async () => {
    manualSeed(6);
    expect(await worstDiff(new CellModel(new LSTMCell(5, 4)), [1, 5])).toBeLessThanOrEqual(1e-4);
    expect(await worstDiff(new CellModel(new LSTMCell(5, 4)), [1, 5], { opset: 18 })).toBeLessThanOrEqual(1e-4);
    const lstm = new SeqModel(new LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true }));
    expect(await worstDiff(lstm, [1, 5, 3])).toBeLessThanOrEqual(1e-4);
  });

  it('QuantLSTMCell and QuantLSTM: Q/DQ on concat([x, h]) and on the fused weights', async () => {
    manualSeed(7);
    const cell = new CellModel(new QuantLSTMCell(5, 4));
    calibrate(cell, [8, 5]);
    const ops = graphView(exportOnnx(cell, seeded([1, 5], 1))).nodes.map((n) => n.opType);
    expect(ops.filter((o) => o === 'QuantizeLinear')).toHaveLength(4); // weight + input, two steps
    // A step of the input quantizer moves a gate pre-activation by at most step * sum|w|; the
    // outputs (through sigmoid/tanh, slope <= 1) by about that much.
    const q = quantizers(cell).get('cell._input_quantizer')!;
    expect(await worstDiff(cell, [1, 5])).toBeLessThanOrEqual((q.amax!.dataSync()[0]! / 127) * 4);
    const lstm = new SeqModel(new QuantLSTM(3, 4, { batchFirst: true }));
    calibrate(lstm, [8, 4, 3]);
    const step = quantizers(lstm).get('lstm._input_quantizers.0')!.amax!.dataSync()[0]! / 127;
    expect(await worstDiff(lstm, [1, 4, 3])).toBeLessThanOrEqual(step * 4);
  });

  it('ceilMode pooling keeps PyTorch divisors (padding counted, the overhang not)', async () => {
    class Pools extends Module {
      forward(x: tf.Tensor): tf.Tensor[] {
        return [
          F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
          F.avgPool2d(x, 3, { stride: 2, ceilMode: true }),
          F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
          F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
        ];
      }
    }
    expect(await worstDiff(new Pools(), [1, 2, 6, 6])).toBeLessThanOrEqual(1e-5);
    class Dropped extends Module {
      forward(x: tf.Tensor): tf.Tensor {
        return F.maxPool1d(x, 2, { stride: 2, padding: 1, ceilMode: true });
      }
    }
    expect(() => exportOnnx(new Dropped(), seeded([1, 1, 5], 1))).toThrow(/drops a window that starts in the padding; ONNX MaxPool would give 4/);
  });

  it("Conv2d with paddingMode 'reflect' exports as Pad (mode reflect) + Conv", async () => {
    manualSeed(8);
    const model = new Sequential(new Conv2d(3, 4, 3, { padding: [1, 2], paddingMode: 'reflect' }), new Flatten(), new Linear(4 * 6 * 8, 5));
    const nodes = graphView(exportOnnx(model, seeded([1, 3, 6, 6], 1))).nodes;
    expect(nodes.slice(0, 2).map((n) => n.opType)).toEqual(['Pad', 'Conv']);
    expect(await worstDiff(model, [1, 3, 6, 6])).toBeLessThanOrEqual(1e-4);
  });

  it("replicate and circular convolutions, and F.pad's modes (constant value, cropping)", async () => {
    manualSeed(9);
    expect(await worstDiff(new Conv1d(2, 3, 3, { padding: 2, paddingMode: 'replicate' }), [1, 2, 7])).toBeLessThanOrEqual(1e-4);
    const circular = new Conv2d(2, 3, [3, 2], { padding: [1, 1], paddingMode: 'circular' });
    // ONNX Pad has no wrap mode before opset 19: each padded axis is Slice + Concat.
    const ops = graphView(exportOnnx(circular, seeded([1, 2, 5, 4], 1))).nodes.map((n) => n.opType);
    expect(ops).toEqual(['Slice', 'Slice', 'Concat', 'Slice', 'Slice', 'Concat', 'Conv']);
    expect(await worstDiff(circular, [1, 2, 5, 4], { opset: 18 })).toBeLessThanOrEqual(1e-4);
    class Pads extends Module {
      forward(x: tf.Tensor): tf.Tensor[] {
        return [
          F.pad(x, [1, 2, 0, 1], 'constant', 0.5),
          F.pad(x, [-1, 2, 1, -2]),
          F.pad(x, [2, 1, 1, 3], 'reflect'),
          F.pad(x, [0, 3, 2, 0], 'replicate'),
          F.pad(x, [3, 1, 2, 4], 'circular'),
        ];
      }
    }
    expect(await worstDiff(new Pads(), [1, 2, 4, 5])).toBe(0);
  });

  it('refuses adaptive pooling with uneven windows, naming the layer', () => {
    const model = new Sequential(new AdaptiveAvgPool2d([3, 3]));
    expect(() => exportOnnx(model, seeded([1, 2, 7, 7], 1))).toThrow(
      /'0' \(AdaptiveAvgPool2d\).*from size 7x7 to 3x3 uses uneven windows/,
    );
  });
});
