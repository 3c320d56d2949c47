import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { it } from 'vitest';
import { exportOnnx, replaceWithQuant, enableCalibration, finishCalibration } from '@pq/nn';
import { importOnnx } from '../src/index.js';
import { fixture, runOrt, seeded, maxAbsDiff } from './helpers.js';

it('smoke', async () => {
  for (const [f, shape] of [['resnet18_op13.onnx', [2,3,32,32]], ['resnet18_op17_dynamic.onnx', [3,3,32,32]], ['mobilenet_v2_op17_dynamic.onnx', [2,3,32,32]], ['transformer_op13_dynamic.onnx', [3,5,16]], ['transformer_op17.onnx', [2,5,16]]] as const) {
    const bytes = fixture(f);
    const m = importOnnx(bytes);
    const x = seeded([...shape], 7);
    const [ref] = await runOrt(bytes, [x]);
    for (const opset of [13, 17]) {
      const out = exportOnnx(m, x, { opset, dynamicBatch: f.includes('dynamic'), inputNames: ['input'], outputNames: ['output'] });
      const [back] = await runOrt(out, [x]);
      console.log(f, opset, 'roundtrip diff', maxAbsDiff(back!.data, ref!.data), out.length);
    }
    replaceWithQuant(m);
    enableCalibration(m);
    tf.tidy(() => m.call(x));
    finishCalibration(m, 'percentile');
    const q = exportOnnx(m, x, { dynamicBatch: f.includes('dynamic') });
    const [qo] = await runOrt(q, [x]);
    const y = tf.tidy(() => m.call(x) as tf.Tensor);
    console.log(f, 'quant diff vs pq', maxAbsDiff(qo!.data, y.dataSync()), 'vs float', maxAbsDiff(qo!.data, ref!.data));
  }
});
