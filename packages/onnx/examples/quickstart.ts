// The README's example (test/readme.test.ts keeps the two equal and checks what it prints).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { decodeOnnx, enableCalibration, exportOnnx, finishCalibration, quantizers, replaceWithQuant } from '@pq/nn';
import { importOnnx, inspectOnnx } from '@pq/onnx';

// A ResNet-18 exported by torch.onnx (any float ONNX model from opset 11 to 21 will do).
const bytes = readFileSync(new URL('../test/fixtures/resnet18_op13.onnx', import.meta.url));
const info = inspectOnnx(bytes);
console.log(`opset ${info.opset}, ${info.parameters.toLocaleString('en-US')} parameters, importable: ${info.importable}`);

const model = importOnnx(bytes);
console.log(JSON.stringify(model.inputs));
console.log(Object.keys(model.stateDict()).slice(0, 4).join(', '));

// Its layers are pq's: quantize them, calibrate on sample data, export with Q/DQ pairs.
console.log(replaceWithQuant(model).length, 'layers quantized; layer1.0.conv1 is now a', model.getSubmodule('layer1.0.conv1').typeName);
enableCalibration(model);
for (let i = 0; i < 4; i++) tf.tidy(() => model.call(tf.randomUniform([2, 3, 32, 32], -1, 1, 'float32', i)));
finishCalibration(model);
console.log(quantizers(model).get('layer1.0.conv1._input_quantizer')!.toString());
const qdq = exportOnnx(model, tf.zeros([2, 3, 32, 32]), { dynamicBatch: false });
const ops = decodeOnnx(qdq).graph.node.map((n) => n.opType);
console.log(`Q/DQ model: ${ops.filter((o) => o === 'QuantizeLinear').length} QuantizeLinear, ${ops.filter((o) => o === 'Conv').length} Conv`);
