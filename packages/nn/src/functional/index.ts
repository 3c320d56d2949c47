// The functional API, exported as the namespace `F` (PyTorch's torch.nn.functional). Every op
// runs through `functional()` from hooks.ts, so the ONNX tracer sees each call as one op.
export { conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d, convNd, convTransposeNd, convTransposeOutputSize } from './conv.js';
export type { ConvOptions, ConvTransposeOptions, IntOrTuple } from './conv.js';
export {
  maxPool1d, maxPool2d, maxPool3d, avgPool1d, avgPool2d, avgPool3d,
  adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d, maxPoolNd, avgPoolNd, adaptiveAvgPoolNd, poolOutputSize,
} from './pooling.js';
export type { MaxPoolOptions, AvgPoolOptions } from './pooling.js';
export {
  relu, sigmoid, tanh, dropout, logSoftmax, softmax, relu6, hardtanh, hardswish, hardsigmoid, silu, leakyRelu, gelu,
} from './activation.js';
export type { GeluOptions, GeluApproximate } from './activation.js';
export { add, sub, mul, div, cat } from './arithmetic.js';
export { nllLoss, crossEntropy, mseLoss } from './loss.js';
export type { NllLossOptions, Reduction } from './loss.js';
export { linear } from './linear.js';
export { flatten, view, reshape, permute, transpose, chunk, expand, select } from './shape.js';
export { matmul, bmm } from './matmul.js';
export { mean } from './reduce.js';
export { layerNorm } from './layer_norm.js';
export type { LayerNormOptions } from './layer_norm.js';
export { embedding } from './embedding.js';
export type { EmbeddingOptions } from './embedding.js';
export { scaledDotProductAttention } from './attention.js';
export type { ScaledDotProductAttentionOptions } from './attention.js';
export { instanceNorm, batchNorm } from './norm.js';
export type { InstanceNormOptions, BatchNormOptions } from './norm.js';
export { lstmCell } from './rnn.js';
export { pad } from './pad.js';
export type { PadMode } from './pad.js';
