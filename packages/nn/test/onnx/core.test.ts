import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { F, Module, OnnxExportError, decodeOnnx, exportOnnx, functional, parameter } from '@pq/nn';
import { saveOnnx } from '@pq/nn/node';
import { graphView, maxAbsDiff, runOrt, runPq, seeded } from './ort.js';

// Tiny modules built only from `functional()` ops, so the tracer core is tested on its own.
const relu = (x: tf.Tensor) => functional('relu', [x], {}, () => tf.relu(x));
const { add, mul, cat } = F;
const flatten = (x: tf.Tensor) =>
  functional('flatten', [x], { startDim: 1, endDim: -1 }, () => tf.reshape(x, [x.shape[0]!, -1]));
const logSoftmax = (x: tf.Tensor, dim: number) => functional('logSoftmax', [x], { dim }, () => tf.logSoftmax(x, dim));

class Scale extends Module {
  weight = parameter(seeded([1, 3, 1, 1], 3));
  forward(x: tf.Tensor): tf.Tensor {
    return mul(x, this.weight);
  }
}

class Net extends Module {
  scale = new Scale();
  forward(x: tf.Tensor): tf.Tensor {
    const a = relu(this.scale.call(x));
    const b = add(a, 0.5);
    return logSoftmax(flatten(cat([a, b], 1)), 1);
  }
}

class Raw extends Module {
  inner = new (class Inner extends Module {
    forward(x: tf.Tensor): tf.Tensor {
      return tf.tanh(x);
    }
  })();
  forward(x: tf.Tensor): tf.Tensor {
    return relu(this.inner.call(x));
  }
}

/** Every F activation and shape function the exporter maps, on a [N, 2, 3, 4] input. */
class Functions extends Module {
  weight = parameter(seeded([5, 24], 8));
  forward(x: tf.Tensor): tf.Tensor[] {
    const a = F.sigmoid(F.avgPool2d(x, [1, 2], { countIncludePad: false }));
    const b = F.flatten(F.tanh(F.adaptiveAvgPool2d(x, [1, 1])), 1);
    const c = F.linear(F.view(F.dropout(x, 0.5, this.training), -1, 24), this.weight);
    return [F.softmax(c, 1), F.flatten(a, 2), b];
  }
}

describe('exportOnnx: tracer core', () => {
  it('exports functional ops and parameters; ONNX Runtime matches pq at batch 1 and 7', async () => {
    const model = new Net();
    const bytes = exportOnnx(model, seeded([1, 3, 2, 2], 1));
    const { model: proto, graph } = decodeOnnx(bytes);
    expect(graph.node.map((n) => n.opType)).toEqual(['Mul', 'Relu', 'Add', 'Concat', 'Flatten', 'LogSoftmax']);
    expect(graph.initializer.map((t) => t.name)).toContain('scale.weight');
    expect(graph.input[0]!.type!.tensorType!.shape!.dim![0]!.dimParam).toBe('batch');
    expect(Number(proto.opsetImport[0]!.version)).toBe(13);
    for (const batch of [1, 7]) {
      const x = seeded([batch, 3, 2, 2], 10 + batch);
      const [ours] = await runOrt(bytes, [x]);
      const [ref] = runPq(model, [x]);
      expect(ours!.dims).toEqual(ref!.dims);
      expect(maxAbsDiff(ours!.data, ref!.data)).toBeLessThanOrEqual(1e-5);
      x.dispose();
    }
    model.dispose();
  });

  it('maps the F functions (pooling, activations, flatten/view, linear without bias, several outputs)', async () => {
    const model = new Functions();
    const bytes = exportOnnx(model, seeded([1, 2, 3, 4], 1));
    expect(graphView(bytes).nodes.map((n) => n.opType)).toEqual([
      'AveragePool', 'Sigmoid', 'GlobalAveragePool', 'Tanh', 'Flatten', 'Reshape', 'Gemm', 'Softmax', 'Reshape',
    ]);
    for (const batch of [1, 7]) {
      const x = seeded([batch, 2, 3, 4], 20 + batch);
      const ours = await runOrt(bytes, [x]);
      const ref = runPq(model, [x]);
      expect(ours.map((o) => o.dims)).toEqual(ref.map((o) => o.dims));
      ours.forEach((o, i) => expect(maxAbsDiff(o.data, ref[i]!.data)).toBeLessThanOrEqual(1e-5));
      x.dispose();
    }
    model.dispose();
  });

  it('names inputs and outputs, keeps a fixed batch when asked, and restores training mode', () => {
    const model = new Net();
    const bytes = exportOnnx(model, seeded([2, 3, 2, 2], 1), {
      inputNames: ['image'],
      outputNames: ['logits'],
      dynamicBatch: false,
      producerName: 'test',
    });
    const { model: proto, graph } = decodeOnnx(bytes);
    expect(graph.input[0]!.name).toBe('image');
    expect(graph.output[0]!.name).toBe('logits');
    expect(Number(graph.output[0]!.type!.tensorType!.shape!.dim![0]!.dimValue)).toBe(2);
    expect(proto.producerName).toBe('test');
    expect(model.training).toBe(true);
    model.dispose();
  });

  it('gives every output its name: a value returned twice, an input passed through, a renamed value still used', async () => {
    class Outputs extends Module {
      forward(x: tf.Tensor): tf.Tensor[] {
        const a = F.relu(x);
        const b = F.dropout(a, 0.5, this.training); // the same graph value as a
        return [b, a, x, F.sigmoid(a)];
      }
    }
    const model = new Outputs();
    const bytes = exportOnnx(model, seeded([1, 4], 1), { outputNames: ['b', 'a', 'x', 's'] });
    const x = seeded([7, 4], 2);
    const ours = await runOrt(bytes, [x]);
    const ref = runPq(model, [x]);
    expect(ours.map((o) => o.dims)).toEqual([[7, 4], [7, 4], [7, 4], [7, 4]]);
    ours.forEach((o, i) => expect(maxAbsDiff(o.data, ref[i]!.data)).toBeLessThanOrEqual(1e-6));
    expect(() => exportOnnx(model, x, { inputNames: ['x'], outputNames: ['x', 'a', 'b', 'c'] })).toThrow(/outputNames x are also input names/);
  });

  it('refuses a raw tfjs op in forward, naming the op and the module', () => {
    const model = new Raw();
    expect(() => exportOnnx(model, seeded([1, 4], 1))).toThrow(OnnxExportError);
    expect(() => exportOnnx(model, seeded([1, 4], 1))).toThrow(/tfjs op 'Tanh' was called directly in the forward of 'inner' \(Inner\)/);
  });

  it('refuses a functional op without a mapping, bad options and a bad opset', () => {
    class Odd extends Module {
      forward(x: tf.Tensor): tf.Tensor {
        return functional('nllLoss', [x], {}, () => x);
      }
    }
    expect(() => exportOnnx(new Odd(), seeded([1, 4], 1))).toThrow(/functional op 'nllLoss' has no ONNX mapping/);
    expect(() => exportOnnx(new Net(), seeded([1, 3, 2, 2], 1), { opset: 9 })).toThrow(/opset 9 is not supported/);
    expect(() => exportOnnx(new Net(), seeded([1, 3, 2, 2], 1), { dynamic: true } as never)).toThrow(/unknown option 'dynamic'/);
    expect(() => exportOnnx(new Net(), seeded([1, 3, 2, 2], 1), { inputNames: ['a', 'b'] })).toThrow(/inputNames has 2 names for 1 input/);
  });

  it('does not leak tensors', () => {
    const model = new Net();
    const x = seeded([1, 3, 2, 2], 1);
    exportOnnx(model, x);
    const before = tf.memory().numTensors;
    exportOnnx(model, x);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('saveOnnx writes atomically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pq-onnx-'));
    const bytes = exportOnnx(new Net(), seeded([1, 3, 2, 2], 1));
    await saveOnnx(join(dir, 'net.onnx'), bytes);
    expect(new Uint8Array(await readFile(join(dir, 'net.onnx')))).toEqual(bytes);
    expect(await readdir(dir)).toEqual(['net.onnx']);
  });
});
