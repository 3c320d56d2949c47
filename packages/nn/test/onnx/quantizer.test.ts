import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { QuantDescriptor } from '@pq/core';
import { describe, expect, it } from 'vitest';
import { F, Module, OnnxExportError, TensorQuantizer, exportOnnx, parameter } from '@pq/nn';
import { graphView, maxAbsDiff, runOrt, runPq, seeded } from './ort.js';

const { relu, mul } = F;

/** x -> input quantizer -> relu -> unsigned quantizer; the per-tensor case. */
class PerTensor extends Module {
  _input_quantizer = new TensorQuantizer(new QuantDescriptor());
  _act_quantizer = new TensorQuantizer(new QuantDescriptor({ unsigned: true }));
  forward(x: tf.Tensor): tf.Tensor {
    return this._act_quantizer.call(relu(this._input_quantizer.call(x)));
  }
}

/** Per-channel: the input quantized along axis 1, a [C, H, W] weight along axis 0. */
class PerChannel extends Module {
  weight = parameter(seeded([4, 3, 3], 5));
  _input_quantizer = new TensorQuantizer(new QuantDescriptor({ axis: 1 }));
  _weight_quantizer = new TensorQuantizer(new QuantDescriptor({ axis: 0 }));
  forward(x: tf.Tensor): tf.Tensor {
    return mul(this._input_quantizer.call(x), this._weight_quantizer.call(this.weight));
  }
}

/** Runs data through every quantizer in calibration mode and loads the max amax. */
function calibrate(model: Module, batches: tf.Tensor[]): void {
  const qs = [...model.namedModules()].map(([, m]) => m).filter((m): m is TensorQuantizer => m instanceof TensorQuantizer);
  for (const q of qs) {
    q.disableQuant();
    q.enableCalib();
  }
  for (const b of batches) tf.tidy(() => model.call(b));
  for (const q of qs) {
    q.loadCalibAmax();
    q.disableCalib();
    q.enableQuant();
  }
}

function opTypes(bytes: Uint8Array): string[] {
  return graphView(bytes).nodes.map((n) => n.opType);
}

/** ORT vs pq: equal up to one quantization step of the output quantizer. */
async function expectWithinStep(model: Module, bytes: Uint8Array, shape: number[], step: (b: number) => number): Promise<void> {
  for (const batch of [1, 7]) {
    const x = seeded([batch, ...shape.slice(1)], 100 + batch, 1.5);
    const [ours] = await runOrt(bytes, [x]);
    const [ref] = runPq(model, [x]);
    expect(ours!.dims).toEqual(ref!.dims);
    expect(maxAbsDiff(ours!.data, ref!.data)).toBeLessThanOrEqual(step(batch) * 1.0001);
    x.dispose();
  }
}

describe('exportOnnx: TensorQuantizer as QuantizeLinear/DequantizeLinear', () => {
  it('per-tensor (calibrated): int8 and uint8 zero points, scale = amax / maxBound', async () => {
    const model = new PerTensor();
    calibrate(model, [seeded([8, 3, 4, 4], 1, 1.5)]);
    const bytes = exportOnnx(model, seeded([1, 3, 4, 4], 2));
    expect(opTypes(bytes)).toEqual(['QuantizeLinear', 'DequantizeLinear', 'Relu', 'QuantizeLinear', 'DequantizeLinear']);
    const init = graphView(bytes).initializers;
    const amax = model._input_quantizer.amax!.dataSync()[0]!;
    expect(init['_input_quantizer.scale']!.floats).toEqual([Math.fround(amax / 127)]);
    expect(init['_input_quantizer.zero_point']!.dataType).toBe(3); // INT8
    expect(init['_act_quantizer.zero_point']!.dataType).toBe(2); // UINT8
    const actStep = model._act_quantizer.amax!.dataSync()[0]! / 255;
    await expectWithinStep(model, bytes, [1, 3, 4, 4], () => actStep);
    model.dispose();
  });

  it('per-channel: axis on the Q/DQ pair, the weight a float initializer followed by its pair', async () => {
    const model = new PerChannel();
    calibrate(model, [seeded([8, 4, 3, 3], 3, 1.5)]);
    const bytes = exportOnnx(model, seeded([1, 4, 3, 3], 2));
    const { nodes, initializers } = graphView(bytes);
    expect(nodes.map((n) => n.opType)).toEqual(['QuantizeLinear', 'DequantizeLinear', 'QuantizeLinear', 'DequantizeLinear', 'Mul']);
    expect(nodes.slice(0, 4).map((n) => n.attrs.axis)).toEqual([1, 1, 0, 0]);
    expect(nodes[2]!.inputs[0]).toBe('weight');
    expect(initializers.weight!.dataType).toBe(1);
    expect(initializers['_weight_quantizer.scale']!.dims).toEqual([4]);
    // The output is a product of two quantized values: compare within a step of each factor.
    const xAmax = Math.max(...model._input_quantizer.amax!.dataSync());
    const wAmax = Math.max(...model._weight_quantizer.amax!.dataSync());
    const wMax = Math.max(...Array.from(model.weight.dataSync(), Math.abs));
    await expectWithinStep(model, bytes, [1, 4, 3, 3], () => (xAmax / 127) * wMax + (wAmax / 127) * xAmax);
    model.dispose();
  });

  it('a disabled quantizer exports nothing; E4M3 exports TRT_FP8 Q/DQ in domain trt', () => {
    const model = new PerTensor();
    model._input_quantizer.disable();
    model._act_quantizer = new TensorQuantizer(new QuantDescriptor({ numBits: [4, 3], amax: 6 }));
    const bytes = exportOnnx(model, seeded([1, 3, 4, 4], 2));
    const { nodes, initializers, domains } = graphView(bytes);
    expect(nodes.map((n) => `${n.domain}:${n.opType}`)).toEqual([':Relu', 'trt:TRT_FP8QuantizeLinear', 'trt:TRT_FP8DequantizeLinear']);
    expect(domains).toEqual(['', 'trt']);
    expect(initializers['_act_quantizer.scale']!.floats).toEqual([Math.fround(6 / 448)]);
    model.dispose();
  });

  it('a learned clip exports as Clip + Q/DQ, a SmoothQuant pre-scale as Mul', async () => {
    const model = new PerTensor();
    model._input_quantizer = new TensorQuantizer(new QuantDescriptor({ learnAmax: true, amax: 0.8 }));
    model._input_quantizer.preQuantScale = [0.5, 1, 2, 4];
    model._act_quantizer.amax = 1.5;
    const bytes = exportOnnx(model, seeded([1, 3, 4, 4], 2));
    expect(opTypes(bytes)).toEqual(['Mul', 'Clip', 'QuantizeLinear', 'DequantizeLinear', 'Relu', 'QuantizeLinear', 'DequantizeLinear']);
    expect(graphView(bytes).initializers['_input_quantizer.scale']!.floats).toEqual([Math.fround(0.8 / 127)]);
    await expectWithinStep(model, bytes, [1, 3, 4, 4], () => 1.5 / 255);
    model.dispose();
  });

  it('refuses quantizers it cannot express, naming the module and the reason', () => {
    const x = seeded([1, 3, 4, 4], 2);
    const refused = (q: TensorQuantizer) => {
      const model = new PerTensor();
      model._input_quantizer = q;
      model._act_quantizer.amax = 1;
      return () => exportOnnx(model, x);
    };
    expect(refused(new TensorQuantizer(new QuantDescriptor()))).toThrow(OnnxExportError);
    expect(refused(new TensorQuantizer(new QuantDescriptor()))).toThrow(/quantizer '_input_quantizer': has no static amax/);
    expect(refused(new TensorQuantizer(new QuantDescriptor({ numBits: 4, amax: 1 })))).toThrow(/numBits 4 \(INT4\) exports from opset 21 .*pass \{ opset: 21 \}, got 13/);
    const multi = new TensorQuantizer(new QuantDescriptor({ axis: [1, 2] }));
    multi.amax = tf.ones([1, 3, 4, 1]);
    expect(refused(multi)).toThrow(/varies along several axes/);
    const fp8 = new TensorQuantizer(new QuantDescriptor({ numBits: [4, 3] }));
    fp8.amax = [1, 2, 3];
    expect(refused(fp8)).toThrow(/E4M3 needs a per-tensor amax/);
    const calibrating = new TensorQuantizer(new QuantDescriptor({ amax: 1 }));
    calibrating.enableCalib();
    expect(refused(calibrating)).toThrow(/still calibrating/);
  });
});
