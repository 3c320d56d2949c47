// Bad input is refused with a message naming the problem, before anything is built: files that
// are not ONNX or are cut short, opsets out of range, unsupported operators and attributes
// (op, node, opset), external or half-precision weights, damaged tensors; and at run time
// inputs of the wrong shape, dtype or number.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { OnnxImportError, importOnnx, inspectOnnx } from '../src/index.js';
import { FLOAT, buildModel, f, node, oneOp, tensor } from './build.js';
import { fixture } from './helpers.js';

const resnet = fixture('resnet18_op13.onnx');

function refused(bytes: Uint8Array, message: RegExp | string): void {
  const before = tf.memory().numTensors;
  expect(() => importOnnx(bytes)).toThrow(OnnxImportError);
  expect(() => importOnnx(bytes)).toThrow(message);
  expect(tf.memory().numTensors).toBe(before);
}

describe('importOnnx refuses what it cannot take', () => {
  it('files that are not ONNX, or are truncated', () => {
    refused(new Uint8Array(0), 'not an ONNX model: the file is empty');
    refused(resnet.subarray(0, resnet.length >> 1), /not a complete ONNX model: the data ends in the middle of a field \(truncated file\?\)/);
    refused(new TextEncoder().encode('{"model": "resnet18", "weights": [1, 2, 3]}'), /not an ONNX model: the bytes are not a valid ONNX protobuf/);
    refused(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13), /not (a complete|an) ONNX model/);
    expect(() => importOnnx('model.onnx' as unknown as Uint8Array)).toThrow(/expected the model's bytes \(a Uint8Array or ArrayBuffer\), got string/);
  });

  it('opsets outside 11..21', () => {
    refused(oneOp('Relu', [[2]], {}, { opset: 10 }), 'opset 10 is not supported; pq imports opsets 11 to 21');
    refused(oneOp('Relu', [[2]], {}, { opset: 22 }), 'opset 22 is not supported');
  });

  it('unsupported operators and attributes, naming the op, the node and the opset', () => {
    refused(buildModel({ inputs: [['x', FLOAT, [2, 4]]], outputs: [['y', FLOAT, null]], nodes: [node('TopK', ['x'], ['y'], {}, 'my_topk')] }),
      "TopK node 'my_topk' (opset 13): operator TopK is not supported");
    refused(buildModel({ inputs: [['x', FLOAT, [2]]], outputs: [['y', FLOAT, null]], nodes: [{ op: 'FusedGelu', inputs: ['x'], outputs: ['y'], domain: 'com.microsoft', name: 'g' }] }),
      "FusedGelu node 'g': operator domain 'com.microsoft' is not supported");
    refused(oneOp('LeakyRelu', [[2]], { alpha: f(0.1), gamma: f(2) }), /LeakyRelu node 'LeakyRelu_0' \(opset 13\): attribute 'gamma' is not supported/);
    refused(oneOp('Transpose', [[2, 3]], { perm: f(1) }), "Transpose node 'Transpose_0' (opset 13): attribute 'perm' is FLOAT, INTS expected");
    refused(oneOp('Resize', [[1, 1, 2, 2]], { mode: 'cubic' }, { initializers: [tensor('s', FLOAT, [4], [1, 1, 2, 2])], extraInputs: ['', 's'] }),
      "Resize node 'Resize_0' (opset 13): mode 'cubic' is not supported ('nearest' or 'linear')");
    refused(oneOp('MaxPool', [[1, 1, 4, 4]], { kernel_shape: [2, 2], storage_order: 1 }), 'attribute storage_order=1 is not supported; only 0 is');
    refused(oneOp('Cast', [[2]], { to: 11 }), 'casting to DOUBLE is not supported');
    refused(oneOp('Unsqueeze', [[2], [1]], {}, { inputTypes: [FLOAT, 7] }), "Unsqueeze node 'Unsqueeze_0' (opset 13): input 1 (axes) must be a constant");
    refused(oneOp('Conv', [[1, 2, 4, 4]], { kernel_shape: [3] }, { initializers: [tensor('w', FLOAT, [1, 2, 3, 3], new Array(18).fill(0))], extraInputs: ['w'] }),
      'kernel_shape [3] has 1 dimensions for 2 spatial ones');
  });

  it('initializers it cannot read: external data, float16, damaged lengths', () => {
    const external = buildModel({ inputs: [['x', FLOAT, [2]]], outputs: [['y', FLOAT, null]], initializers: [{ name: 'w', dataType: FLOAT, dims: [2], dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }] }], nodes: [node('Add', ['x', 'w'], ['y'])] });
    refused(external, "initializer 'w' keeps its data in an external file");
    const half = buildModel({ inputs: [['x', FLOAT, [2]]], outputs: [['y', FLOAT, null]], initializers: [{ name: 'w', dataType: 10, dims: [2], rawData: new Uint8Array(4) }], nodes: [node('Add', ['x', 'w'], ['y'])] });
    refused(half, "initializer 'w' has element type FLOAT16; pq imports FLOAT, INT64, INT32 and BOOL tensors (convert the model to float32 first)");
    const short = buildModel({ inputs: [['x', FLOAT, [3]]], outputs: [['y', FLOAT, null]], initializers: [{ name: 'w', dataType: FLOAT, dims: [3], rawData: new Uint8Array(8) }], nodes: [node('Add', ['x', 'w'], ['y'])] });
    refused(short, "initializer 'w': 8 bytes of raw_data for shape [3] (3 values of FLOAT expected); the file is damaged or truncated");
    const huge = buildModel({ inputs: [['x', FLOAT, [3]]], outputs: [['y', FLOAT, null]], initializers: [{ name: 'w', dataType: FLOAT, dims: [100000, 100000], rawData: new Uint8Array(8) }], nodes: [node('Add', ['x', 'w'], ['y'])] });
    refused(huge, "initializer 'w' claims shape [100000, 100000], more than 1073741824 elements");
  });

  it('graphs that are not sorted or use undefined values', () => {
    refused(buildModel({ inputs: [['x', FLOAT, [2]]], outputs: [['y', FLOAT, null]], nodes: [node('Relu', ['t'], ['y']), node('Relu', ['x'], ['t'])] }),
      "Relu node 'Relu_0' (opset 13): input 't' is not defined by an earlier node, a graph input or an initializer (is the graph sorted?)");
  });

  it('inputShapes that do not fit the file', () => {
    expect(() => importOnnx(resnet, { inputShapes: { input: [2, 3, 64, 64] } })).toThrow("inputShapes['input'] [2, 3, 64, 64] differs from the model's [2, 3, 32, 32] in dimension 2");
    expect(() => importOnnx(resnet, { inputShapes: { image: [2, 3, 32, 32] } })).toThrow("importOnnx: inputShapes names 'image', which is not an input (inputs: input)");
    expect(() => importOnnx(resnet, { inputshapes: {} } as never)).toThrow("importOnnx: unknown option 'inputshapes'; did you mean 'inputShapes'?");
  });

  it('wrong inputs at run time', () => {
    const model = importOnnx(fixture('transformer_op13_dynamic.onnx'));
    expect(() => tf.tidy(() => model.call(tf.zeros([2, 6, 16])))).toThrow("input 'input' of shape [2, 6, 16] does not fit the model's [batch, 5, 16]: dimension 1 is 6, 5 expected");
    expect(() => tf.tidy(() => model.call(tf.zeros([5, 16])))).toThrow('rank 2, 3 expected');
    expect(() => tf.tidy(() => model.call(tf.zeros([2, 5, 16], 'int32')))).toThrow("input 'input' has dtype int32; the model takes float32");
    expect(() => tf.tidy(() => model.call())).toThrow('0 inputs given, 1 expected (input)');
    expect(() => model.call([1, 2] as unknown as tf.Tensor)).toThrow("input 'input' must be a tf.Tensor, got array");
    model.dispose();
  });
});

describe('inspectOnnx', () => {
  it('describes a model and lists every problem', () => {
    const info = inspectOnnx(resnet);
    expect(info).toMatchObject({ opset: 13, irVersion: 7, importable: true, problems: [] });
    expect(info.producer).toMatch(/^pytorch 1\.13/);
    expect(info.inputs).toEqual([{ name: 'input', type: 'FLOAT', shape: [2, 3, 32, 32] }]);
    expect(info.ops.slice(0, 3)).toEqual([['BatchNormalization', 20], ['Conv', 20], ['Relu', 17]]);
    expect(info.parameters).toBeGreaterThan(150_000);
    const bad = inspectOnnx(buildModel({
      inputs: [['x', FLOAT, [2, 4]]], outputs: [['y', FLOAT, null]],
      nodes: [node('TopK', ['x'], ['t']), node('Relu', ['t'], ['r']), node('Einsum', ['r'], ['y'], { equation: 'ij->ji' })],
    }));
    expect(bad.importable).toBe(false);
    expect(bad.problems).toEqual(["TopK node 'TopK_0' (opset 13): operator TopK is not supported", "Einsum node 'Einsum_2' (opset 13): operator Einsum is not supported"]);
  });
});
