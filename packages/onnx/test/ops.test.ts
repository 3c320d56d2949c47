// Every supported operator against ONNX Runtime: the imported model's forward equals ORT's
// outputs, the node imports as the expected pq layer (or functionally), and exportOnnx writes
// a graph that ORT runs to the same outputs (at the case's export opset, default 17, and at 21).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '@pq/nn';
import { importOnnx } from '../src/index.js';
import { OP_CASES, caseInputs } from './op_cases.js';
import { maxAbsDiff, runOrt } from './helpers.js';

describe('importOnnx: each operator against ONNX Runtime', () => {
  it.each(OP_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const inputs = caseInputs(c);
    const ref = await runOrt(c.bytes, inputs);
    const model = importOnnx(c.bytes);
    const layers = [...model.namedModules()].map(([, m]) => m.typeName).filter((t) => t !== 'OnnxModule' && t !== 'ModuleDict');
    expect(layers).toEqual(c.layer === undefined ? [] : [c.layer]);
    const ours = tf.tidy(() => [model.call(...inputs) as tf.Tensor | tf.Tensor[]].flat().map((t) => ({ data: Array.from(t.dataSync(), Number), dims: t.shape })));
    expect(ours.map((o) => o.dims)).toEqual(ref.map((r) => r.dims));
    ours.forEach((o, i) => expect(maxAbsDiff(o.data, ref[i]!.data)).toBeLessThanOrEqual(1e-5));

    for (const opset of new Set([c.exportOpset ?? 17, 21])) {
      const back = await runOrt(exportOnnx(model, inputs, { opset, dynamicBatch: false }), inputs);
      back.forEach((b, i) => {
        expect(b.dims, `opset ${opset}`).toEqual(ref[i]!.dims);
        expect(maxAbsDiff(b.data, ref[i]!.data), `opset ${opset}`).toBeLessThanOrEqual(1e-5);
      });
    }
    model.dispose();
    tf.dispose(inputs);
  });
});
