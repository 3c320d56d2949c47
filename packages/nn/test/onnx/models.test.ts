import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { enableCalibration, exportOnnx, finishCalibration, manualSeed, quantizers, type Module } from '@pq/nn';
import { LeNet, convTransposeNet } from './models.js';
import { argmaxRows, graphView, maxAbsDiff, runOrt, runPq, seeded } from './ort.js';

function calibrate(model: Module, shape: number[]): void {
  enableCalibration(model);
  for (let i = 0; i < 3; i++) tf.tidy(() => model.call(seeded([8, ...shape.slice(1)], 50 + i)));
  finishCalibration(model);
}

/** amax / maxBound of the quantizer at `path` (its largest channel). */
function stepOf(model: Module, path: string): number {
  const q = quantizers(model).get(path)!;
  return Math.max(...q.amax!.dataSync()) / q.maxBound;
}

async function compare(model: Module, bytes: Uint8Array, shape: number[]): Promise<Array<{ diff: number; ours: Float32Array; ref: Float32Array }>> {
  const out = [];
  for (const batch of [1, 7]) {
    const x = seeded([batch, ...shape.slice(1)], 200 + batch);
    const [ours] = await runOrt(bytes, [x]);
    const [ref] = runPq(model, [x]);
    expect(ours!.dims).toEqual(ref!.dims);
    out.push({ diff: maxAbsDiff(ours!.data, ref!.data), ours: ours!.data, ref: ref!.data });
    x.dispose();
  }
  return out;
}

describe('exportOnnx: models through ONNX Runtime', () => {
  it('float LeNet: within 1e-4 at batch 1 and 7', async () => {
    manualSeed(1);
    const model = new LeNet(false);
    const bytes = exportOnnx(model, seeded([1, 1, 28, 28], 1));
    expect(graphView(bytes).nodes.map((n) => n.opType)).toEqual([
      'Conv', 'MaxPool', 'Relu', 'Conv', 'MaxPool', 'Relu', 'Reshape', 'Gemm', 'Relu', 'Gemm', 'LogSoftmax',
    ]);
    for (const { diff } of await compare(model, bytes, [1, 1, 28, 28])) expect(diff).toBeLessThanOrEqual(1e-4);
    model.dispose();
  });

  it('quantized, calibrated LeNet: same argmax, within one quantization step', async () => {
    manualSeed(2);
    const model = new LeNet(true);
    calibrate(model, [1, 1, 28, 28]);
    const bytes = exportOnnx(model, seeded([1, 1, 28, 28], 1));
    const ops = graphView(bytes).nodes.map((n) => n.opType);
    expect(ops.filter((o) => o === 'QuantizeLinear')).toHaveLength(8);
    expect(ops.filter((o) => o === 'DequantizeLinear')).toHaveLength(8);
    // One step of the last quantizer (fc2's input) bounds the difference of the logits.
    const step = stepOf(model, 'fc2._input_quantizer');
    for (const { diff, ours, ref } of await compare(model, bytes, [1, 1, 28, 28])) {
      expect(argmaxRows(ours, 10)).toEqual(argmaxRows(ref, 10));
      expect(diff).toBeLessThanOrEqual(step);
    }
    model.dispose();
  });

  it('refuses an uncalibrated quantized model, naming the first quantizer', () => {
    const model = new LeNet(true);
    expect(() => exportOnnx(model, seeded([1, 1, 28, 28], 1))).toThrow(
      "ONNX export: quantizer 'conv1._input_quantizer': has no static amax (it computes amax from each batch); calibrate it or set amax before export",
    );
    model.dispose();
  });

  it('conv-transpose + pooling model, float and quantized', async () => {
    manualSeed(3);
    const float = convTransposeNet(false);
    const bytes = exportOnnx(float, seeded([1, 3, 8, 8], 1));
    expect(graphView(bytes).nodes.map((n) => n.opType)).toEqual([
      'Conv', 'Relu', 'ConvTranspose', 'InstanceNormalization', 'MaxPool', 'AveragePool', 'AveragePool',
    ]);
    for (const { diff } of await compare(float, bytes, [1, 3, 8, 8])) expect(diff).toBeLessThanOrEqual(1e-4);
    float.dispose();

    const quant = convTransposeNet(true);
    calibrate(quant, [1, 3, 8, 8]);
    const qbytes = exportOnnx(quant, seeded([1, 3, 8, 8], 1));
    const { nodes } = graphView(qbytes);
    // The transposed conv's weight is quantized per output channel: axis 1 of [in, out/groups, k, k].
    const weightQ = nodes.find((n) => n.opType === 'QuantizeLinear' && n.inputs[0] === '2.weight')!;
    expect(weightQ.attrs.axis).toBe(1);
    // The last quantizer (the adaptive pool's input) is averaged, so one of its steps bounds the output.
    const step = stepOf(quant, '6._input_quantizer');
    for (const { diff } of await compare(quant, qbytes, [1, 3, 8, 8])) expect(diff).toBeLessThanOrEqual(step);
    quant.dispose();
  });
});
