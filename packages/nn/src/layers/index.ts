export { Linear, type LinearOptions } from './linear.js';
export {
  ConvNd, Conv1d, Conv2d, Conv3d, ConvTransposeNd, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d,
  type ConvLayerOptions, type ConvTransposeLayerOptions, type PaddingMode,
} from './conv.js';
export {
  MaxPoolNd, MaxPool1d, MaxPool2d, MaxPool3d, AvgPoolNd, AvgPool1d, AvgPool2d, AvgPool3d,
  AdaptiveAvgPoolNd, AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d,
  type MaxPoolLayerOptions, type AvgPoolLayerOptions, type AdaptiveSize,
} from './pooling.js';
export { InstanceNormNd, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, type InstanceNormLayerOptions } from './instancenorm.js';
export { LSTMCell, LSTM, type LSTMCellOptions, type LSTMOptions } from './rnn.js';
export { ReLU, Sigmoid, Tanh, Identity, Dropout, Flatten, type InplaceOptions } from './basic.js';
export { ReLU6, Hardtanh, Hardswish, Hardsigmoid, SiLU, LeakyReLU, GELU, Softmax, LogSoftmax } from './activation.js';
export { BatchNormNd, BatchNorm1d, BatchNorm2d, BatchNorm3d, type BatchNormLayerOptions } from './batchnorm.js';
export { Sequential } from './sequential.js';
export { ModuleList, ModuleDict } from './container.js';
export { LayerNorm, type LayerNormLayerOptions } from './layer_norm.js';
export { Embedding, type EmbeddingLayerOptions } from './embedding.js';
export { MultiheadAttention, type MultiheadAttentionOptions, type MultiheadAttentionCallOptions } from './attention.js';
export {
  TransformerEncoderLayer, TransformerEncoder, type TransformerActivation, type TransformerEncoderLayerOptions,
  type TransformerEncoderLayerCallOptions, type TransformerEncoderOptions, type TransformerEncoderCallOptions,
} from './transformer.js';
export { checkOptions } from '@pq/core';
