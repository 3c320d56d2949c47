// One-op (and few-op) ONNX models covering each supported operator and its attribute forms,
// shared by the forward/export test (against ONNX Runtime) and the gradient test.
import * as tf from '@tensorflow/tfjs-core';
import { BOOL, FLOAT, INT64, buildModel, f, node, oneOp, tensor, type OneOpOptions } from './build.js';
import { seeded } from './helpers.js';

export interface OpCase {
  name: string;
  bytes: Uint8Array;
  shapes: number[][];
  /** int inputs (by position) get these values instead of random floats. */
  ints?: Record<number, { values: number[]; shape: number[] }>;
  /** The class of the one layer the node imports as (none: functional). */
  layer?: string;
  /** Export opset for the round trip (default 17). */
  exportOpset?: number;
  /** Piecewise-linear or integer-valued: no finite-difference gradient check. */
  kinked?: boolean;
  /** No gradient flows (integer or boolean output). */
  noGrad?: boolean;
}

const i64 = (name: string, values: number[], dims = [values.length]) => tensor(name, INT64, dims, values);
const f32 = (name: string, values: number[], dims = [values.length]) => tensor(name, FLOAT, dims, values);
const rand = (n: number, seed: number, scale = 1) => Array.from(seeded([n], seed, scale).dataSync());

function op(name: string, type: string, shapes: number[][], attrs: Parameters<typeof oneOp>[2] = {}, o: OneOpOptions & Partial<OpCase> = {}): OpCase {
  const { layer, exportOpset, kinked, noGrad, ints, ...build } = o;
  return { name, bytes: oneOp(type, shapes, attrs, build), shapes, layer, exportOpset, kinked, noGrad, ints };
}

const W = (out: number, inp: number, k: number[], seed: number) => f32('w', rand(out * inp * k.reduce((a, b) => a * b, 1), seed, 0.5), [out, inp, ...k]);

export const OP_CASES: OpCase[] = [
  // elementwise, broadcasting
  op('Add broadcast', 'Add', [[2, 3, 4], [3, 1]]),
  op('Sub', 'Sub', [[2, 3], [2, 3]]),
  op('Mul scalar', 'Mul', [[2, 3], []]),
  op('Div', 'Div', [[2, 3], [3]], {}, { extraInputs: [] }),
  op('Pow by constant 2', 'Pow', [[2, 3]], {}, { initializers: [f32('p', [2], [])], extraInputs: ['p'] }),
  {
    name: 'Sqrt, Log, Reciprocal of x*x + 0.5',
    bytes: buildModel({
      inputs: [['x', FLOAT, [2, 3]]],
      outputs: [['y', FLOAT, null]],
      initializers: [f32('half', [0.5], [])],
      nodes: [
        node('Mul', ['x', 'x'], ['sq']), node('Add', ['sq', 'half'], ['pos']), node('Sqrt', ['pos'], ['r']),
        node('Log', ['pos'], ['l']), node('Reciprocal', ['r'], ['inv']), node('Add', ['l', 'inv'], ['y']),
      ],
    }),
    shapes: [[2, 3]],
  },
  op('Neg', 'Neg', [[4]]),
  op('Erf', 'Erf', [[2, 5]]),
  op('Exp', 'Exp', [[2, 3]]),
  op('Abs', 'Abs', [[2, 3]], {}, { kinked: true }),
  op('Floor', 'Floor', [[2, 3]], {}, { kinked: true }),
  // activations
  op('Relu', 'Relu', [[2, 3, 4]], {}, { layer: 'ReLU', kinked: true }),
  op('Sigmoid', 'Sigmoid', [[2, 3]], {}, { layer: 'Sigmoid' }),
  op('Tanh', 'Tanh', [[2, 3]], {}, { layer: 'Tanh' }),
  op('LeakyRelu', 'LeakyRelu', [[2, 3]], { alpha: f(0.2) }, { layer: 'LeakyReLU', kinked: true }),
  op('HardSigmoid alpha beta', 'HardSigmoid', [[2, 8]], { alpha: f(0.3), beta: f(0.4) }, { kinked: true }),
  op('HardSigmoid as torch', 'HardSigmoid', [[2, 8]], { alpha: f(1 / 6) }, { layer: 'Hardsigmoid', kinked: true }),
  op('HardSwish', 'HardSwish', [[2, 8]], {}, { opset: 14, layer: 'Hardswish', kinked: true }),
  op('HardSwish, export at 13', 'HardSwish', [[2, 8]], {}, { opset: 14, layer: 'Hardswish', kinked: true, exportOpset: 13 }),
  op('Clip 0..6 (ReLU6)', 'Clip', [[2, 8]], {}, { initializers: [f32('lo', [0], []), f32('hi', [6], [])], extraInputs: ['lo', 'hi'], layer: 'ReLU6', kinked: true }),
  op('Clip min only', 'Clip', [[2, 8]], {}, { initializers: [f32('lo', [-0.25], [])], extraInputs: ['lo'], kinked: true }),
  op('Gelu', 'Gelu', [[2, 6]], {}, { opset: 20, layer: 'GELU' }),
  op('Gelu tanh', 'Gelu', [[2, 6]], { approximate: 'tanh' }, { opset: 20, layer: 'GELU' }),
  op('Gelu, export at 20', 'Gelu', [[2, 6]], {}, { opset: 20, layer: 'GELU', exportOpset: 20 }),
  op('Softmax axis 1', 'Softmax', [[2, 3, 4]], { axis: 1 }, { layer: 'Softmax' }),
  op('Softmax opset 11 (flattened at axis 1)', 'Softmax', [[2, 3, 4]], { axis: 1 }, { opset: 11 }),
  op('LogSoftmax', 'LogSoftmax', [[2, 5]], {}, { layer: 'LogSoftmax' }),
  // convolutions
  op('Conv 2-d groups, stride, dilation, bias', 'Conv', [[2, 4, 9, 9]], { group: 2, strides: [2, 1], dilations: [1, 2], pads: [1, 2, 1, 2], kernel_shape: [3, 3] },
    { initializers: [W(6, 2, [3, 3], 1), f32('b', rand(6, 2))], extraInputs: ['w', 'b'], layer: 'Conv2d' }),
  op('Conv 1-d', 'Conv', [[2, 3, 10]], { pads: [1, 1] }, { initializers: [W(4, 3, [3], 3)], extraInputs: ['w'], layer: 'Conv1d' }),
  op('Conv 3-d', 'Conv', [[1, 2, 4, 5, 5]], { strides: [1, 2, 2] }, { initializers: [W(3, 2, [2, 3, 3], 4)], extraInputs: ['w'], layer: 'Conv3d' }),
  op('Conv asymmetric pads', 'Conv', [[1, 2, 7, 7]], { pads: [0, 1, 1, 0] }, { initializers: [W(3, 2, [3, 3], 5)], extraInputs: ['w'], layer: 'Conv2d' }),
  op('Conv SAME_UPPER stride 2', 'Conv', [[1, 2, 8, 8]], { auto_pad: 'SAME_UPPER', strides: [2, 2] }, { initializers: [W(3, 2, [3, 3], 6)], extraInputs: ['w'], layer: 'Conv2d' }),
  op('Conv with a computed weight', 'Conv', [[1, 2, 6, 6], [3, 2, 3, 3]], {}),
  op('ConvTranspose stride 2, output_padding', 'ConvTranspose', [[1, 4, 5, 5]], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1], group: 2 },
    { initializers: [W(4, 3, [3, 3], 7), f32('b', rand(6, 8))], extraInputs: ['w', 'b'], layer: 'ConvTranspose2d' }),
  // Gemm / MatMul
  op('Gemm transB alpha beta', 'Gemm', [[3, 4]], { transB: 1, alpha: f(0.5), beta: f(2) },
    { initializers: [f32('w', rand(20, 9), [5, 4]), f32('c', rand(5, 10), [5])], extraInputs: ['w', 'c'], layer: 'Linear' }),
  op('Gemm B not transposed', 'Gemm', [[3, 4]], {}, { initializers: [f32('w', rand(20, 11), [4, 5])], extraInputs: ['w'], layer: 'Linear' }),
  op('Gemm transA (functional)', 'Gemm', [[4, 3], [4, 5]], { transA: 1 }),
  op('MatMul batched inputs', 'MatMul', [[2, 1, 3, 4], [3, 4, 2]]),
  op('MatMul constant weight', 'MatMul', [[2, 3, 4]], {}, { initializers: [f32('w', rand(20, 12), [4, 5])], extraInputs: ['w'], layer: 'Linear' }),
  // normalisation
  op('BatchNormalization 4-d', 'BatchNormalization', [[2, 3, 4, 4]], { epsilon: f(1e-3) }, {
    initializers: [f32('s', rand(3, 13)), f32('b', rand(3, 14)), f32('m', rand(3, 15)), f32('v', [0.5, 1, 2])], extraInputs: ['s', 'b', 'm', 'v'], layer: 'BatchNorm2d',
  }),
  op('BatchNormalization 3-d', 'BatchNormalization', [[2, 3, 5]], {}, {
    initializers: [f32('s', rand(3, 16)), f32('b', rand(3, 17)), f32('m', rand(3, 18)), f32('v', [1, 1.5, 0.7])], extraInputs: ['s', 'b', 'm', 'v'], layer: 'BatchNorm1d',
  }),
  op('LayerNormalization', 'LayerNormalization', [[2, 3, 6]], { epsilon: f(1e-4) }, { opset: 17, initializers: [f32('s', rand(6, 19)), f32('b', rand(6, 20))], extraInputs: ['s', 'b'], layer: 'LayerNorm' }),
  op('LayerNormalization axis 1, export at 13', 'LayerNormalization', [[2, 3, 4]], { axis: 1 }, { opset: 17, initializers: [f32('s', rand(12, 21), [3, 4])], extraInputs: ['s'], layer: 'LayerNorm', exportOpset: 13 }),
  op('InstanceNormalization', 'InstanceNormalization', [[2, 3, 5, 5]], {}, { initializers: [f32('s', rand(3, 22)), f32('b', rand(3, 23))], extraInputs: ['s', 'b'], layer: 'InstanceNorm2d' }),
  // pooling
  op('MaxPool k3 s2 p1', 'MaxPool', [[1, 2, 7, 7]], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, { layer: 'MaxPool2d', kinked: true }),
  op('MaxPool asymmetric pads', 'MaxPool', [[1, 2, 6, 6]], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1] }, { layer: 'MaxPool2d', kinked: true }),
  op('MaxPool ceil_mode', 'MaxPool', [[1, 2, 6, 6]], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, { layer: 'MaxPool2d', kinked: true }),
  op('MaxPool SAME_LOWER stride 2, dilation 2', 'MaxPool', [[1, 1, 7, 7]], { kernel_shape: [2, 2], auto_pad: 'SAME_LOWER', strides: [2, 2] }, { layer: 'MaxPool2d', kinked: true }),
  op('MaxPool dilation 2', 'MaxPool', [[1, 1, 7, 7]], { kernel_shape: [2, 2], pads: [1, 1, 1, 1], dilations: [2, 2] }, { layer: 'MaxPool2d', kinked: true }),
  op('MaxPool 1-d', 'MaxPool', [[2, 3, 9]], { kernel_shape: [3], strides: [2] }, { layer: 'MaxPool1d', kinked: true }),
  op('AveragePool pads not counted', 'AveragePool', [[1, 2, 6, 6]], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { layer: 'AvgPool2d' }),
  op('AveragePool pads counted, asymmetric', 'AveragePool', [[1, 2, 6, 6]], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 0, 0, 1], count_include_pad: 1 }, { layer: 'AvgPool2d' }),
  op('AveragePool ceil_mode', 'AveragePool', [[1, 2, 7, 7]], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }, { layer: 'AvgPool2d' }),
  op('GlobalAveragePool', 'GlobalAveragePool', [[2, 3, 4, 5]], {}, { layer: 'AdaptiveAvgPool2d' }),
  op('GlobalMaxPool', 'GlobalMaxPool', [[2, 3, 4]], {}, { kinked: true }),
  // shapes
  op('Flatten axis 2', 'Flatten', [[2, 3, 4, 2]], { axis: 2 }),
  op('Reshape 0 and -1', 'Reshape', [[2, 3, 4]], {}, { initializers: [i64('s', [0, -1, 2])], extraInputs: ['s'] }),
  op('Transpose', 'Transpose', [[2, 3, 4]], { perm: [2, 0, 1] }),
  op('Transpose default', 'Transpose', [[2, 3, 4]]),
  op('Concat', 'Concat', [[2, 3], [2, 1], [2, 2]], { axis: -1 }),
  op('Split opset 13, sizes input', 'Split', [[2, 6]], { axis: 1 }, { initializers: [i64('s', [1, 5])], extraInputs: ['s'], outputs: 2 }),
  op('Split opset 11, attribute', 'Split', [[6, 2]], { split: [2, 4] }, { opset: 11, outputs: 2 }),
  op('Split opset 18, num_outputs uneven', 'Split', [[2, 7]], { axis: 1, num_outputs: 3 }, { opset: 18, outputs: 3 }),
  op('Slice steps, negative, INT64 end', 'Slice', [[5, 6, 4]], {}, {
    initializers: [i64('st', [-1, 1, 0]), tensor('en', INT64, [3], [-6, 9007199254740991, 3]), i64('ax', [0, 1, 2]), i64('sp', [-2, 2, 1])], extraInputs: ['st', 'en', 'ax', 'sp'],
  }),
  op('Gather axis 1, negative indices', 'Gather', [[3, 5, 2]], { axis: 1 }, { initializers: [i64('i', [-1, 0, 3, 0], [2, 2])], extraInputs: ['i'] }),
  op('Gather scalar index', 'Gather', [[4, 3]], {}, { initializers: [i64('i', [2], [])], extraInputs: ['i'] }),
  op('Unsqueeze opset 13', 'Unsqueeze', [[2, 3]], {}, { initializers: [i64('a', [0, -1])], extraInputs: ['a'] }),
  op('Unsqueeze opset 11', 'Unsqueeze', [[2, 3]], { axes: [1] }, { opset: 11 }),
  op('Squeeze', 'Squeeze', [[2, 1, 3, 1]], {}, { initializers: [i64('a', [1])], extraInputs: ['a'] }),
  op('Squeeze all', 'Squeeze', [[2, 1, 3, 1]]),
  op('Pad reflect', 'Pad', [[1, 2, 4, 4]], { mode: 'reflect' }, { initializers: [i64('p', [0, 0, 1, 2, 0, 0, 2, 1])], extraInputs: ['p'] }),
  op('Pad edge', 'Pad', [[2, 5]], { mode: 'edge' }, { initializers: [i64('p', [1, 2, 0, 1])], extraInputs: ['p'] }),
  op('Pad constant value, axes (opset 18)', 'Pad', [[2, 3, 4]], {}, { opset: 18, initializers: [i64('p', [1, -1, 2, 0]), f32('v', [1.5], []), i64('ax', [1, 2])], extraInputs: ['p', 'v', 'ax'] }),
  op('ReduceMean axes, keepdims 0', 'ReduceMean', [[2, 3, 4]], { axes: [0, 2], keepdims: 0 }),
  op('ReduceMean opset 18 axes input', 'ReduceMean', [[2, 3, 4]], {}, { opset: 18, initializers: [i64('a', [-1])], extraInputs: ['a'] }),
  op('ReduceSum opset 13', 'ReduceSum', [[2, 3, 4]], {}, { initializers: [i64('a', [1])], extraInputs: ['a'] }),
  op('ReduceMax all', 'ReduceMax', [[2, 3]], {}, { kinked: true }),
  op('Resize nearest 2x (asymmetric, floor)', 'Resize', [[1, 2, 3, 4]], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
    { initializers: [f32('sc', [1, 1, 2, 2])], extraInputs: ['', 'sc'] }),
  op('Resize nearest half_pixel round_prefer_floor 1.5x', 'Resize', [[1, 1, 4, 4]], { mode: 'nearest' }, { initializers: [f32('sc', [1, 1, 1.5, 1.5])], extraInputs: ['', 'sc'] }),
  op('Resize linear half_pixel', 'Resize', [[1, 2, 3, 4]], { mode: 'linear' }, { initializers: [f32('sc', [1, 1, 2, 1.5])], extraInputs: ['', 'sc'] }),
  op('Resize linear align_corners, sizes', 'Resize', [[1, 2, 3, 4]], { mode: 'linear', coordinate_transformation_mode: 'align_corners' },
    { initializers: [i64('sz', [1, 2, 5, 7])], extraInputs: ['', '', 'sz'] }),
  op('Resize linear pytorch_half_pixel, opset 11', 'Resize', [[1, 1, 4, 4]], { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' },
    { opset: 11, initializers: [f32('roi', [], [0]), f32('sc', [1, 1, 0.5, 2])], extraInputs: ['roi', 'sc'] }),
  op('Identity', 'Identity', [[2, 3]]),
  op('Dropout (inference)', 'Dropout', [[2, 3]]),
  // integer and boolean ops, in small graphs
  {
    name: 'Shape, Gather, Unsqueeze, Concat, Reshape (dynamic batch)',
    bytes: buildModel({
      inputs: [['x', FLOAT, ['batch', 3, 4]]],
      outputs: [['y', FLOAT, null]],
      initializers: [i64('zero', [0], []), i64('axes', [0]), i64('tail', [12])],
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Gather', ['s', 'zero'], ['n'], { axis: 0 }),
        node('Unsqueeze', ['n', 'axes'], ['n1']),
        node('Concat', ['n1', 'tail'], ['shape'], { axis: 0 }),
        node('Reshape', ['x', 'shape'], ['y']),
      ],
    }),
    shapes: [[2, 3, 4]],
  },
  {
    name: 'Shape start/end (opset 15), ConstantOfShape, Expand, Add',
    bytes: buildModel({
      opset: 15,
      inputs: [['x', FLOAT, [2, 3, 1]]],
      outputs: [['y', FLOAT, null]],
      nodes: [
        node('Shape', ['x'], ['s'], { start: -2, end: 3 }),
        node('ConstantOfShape', ['s'], ['ones'], { value: { t: f32('v', [1.5], [1]) } }),
        node('Constant', [], ['full'], { value: { t: i64('c', [2, 3, 4]) } }),
        node('Expand', ['x', 'full'], ['big']),
        node('Add', ['big', 'ones'], ['y']),
      ],
    }),
    shapes: [[2, 3, 1]],
  },
  {
    name: 'Range, Cast, Equal, Where',
    bytes: buildModel({
      inputs: [['x', FLOAT, [2, 5]]],
      outputs: [['y', FLOAT, null], ['mask', BOOL, null]],
      nodes: [
        node('Constant', [], ['start'], { value_int: 0 }),
        node('Constant', [], ['limit'], { value_int: 5 }),
        node('Constant', [], ['delta'], { value_int: 1 }),
        node('Range', ['start', 'limit', 'delta'], ['r']),
        node('Cast', ['x'], ['xi'], { to: INT64 }),
        node('Equal', ['xi', 'r'], ['mask']),
        node('Cast', ['r'], ['rf'], { to: FLOAT }),
        node('Where', ['mask', 'rf', 'x'], ['y']),
      ],
    }),
    shapes: [[2, 5]],
  },
  {
    name: 'Div of integers truncates, Cast to BOOL',
    bytes: buildModel({
      inputs: [['x', FLOAT, [4]]],
      outputs: [['q', INT64, null], ['nz', BOOL, null]],
      initializers: [i64('a', [7, -7, 6, 0]), i64('b', [2, 2, -4, 3])],
      nodes: [node('Cast', ['x'], ['xi'], { to: INT64 }), node('Add', ['a', 'xi'], ['a1']), node('Div', ['a1', 'b'], ['q']), node('Cast', ['a1'], ['nz'], { to: BOOL })],
    }),
    shapes: [[4]],
    noGrad: true,
  },
];

/** The case's inputs: seeded floats (scaled by 2 so that activations see both signs), or its ints. */
export function caseInputs(c: OpCase, seed = 1): tf.Tensor[] {
  return c.shapes.map((s, i) => {
    const ints = c.ints?.[i];
    return ints ? tf.tensor(ints.values, ints.shape, 'int32') : seeded(s, seed * 31 + i, 2);
  });
}
