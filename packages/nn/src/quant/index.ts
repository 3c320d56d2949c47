export { TensorQuantizer, type TensorQuantizerOptions, type QuantizerCalibrator, type AmaxValue } from './tensor_quantizer.js';
export { Clip, type ClipOptions } from './clip.js';
export {
  QuantMixin, splitQuantOptions, checkDescriptor, type QuantInputOptions, type QuantWeightOptions, type QuantDefaults, type QuantMixinDefaults,
  type QuantInputMembers, type QuantInputStatics, type QuantWeightMembers, type QuantWeightStatics, type QuantClass, type FloatLayerClass,
} from './quant_mixin.js';
export { QuantLinear, type QuantLinearOptions } from './linear.js';
export { QuantMultiheadAttention, type QuantMultiheadAttentionOptions } from './attention.js';
export { QuantConv1d, QuantConv2d, QuantConv3d, type QuantConvOptions } from './conv.js';
export {
  QuantConvTranspose1d, QuantConvTranspose2d, QuantConvTranspose3d, type QuantConvTransposeOptions,
} from './conv_transpose.js';
export {
  QuantMaxPool1d, QuantMaxPool2d, QuantMaxPool3d, QuantAvgPool1d, QuantAvgPool2d, QuantAvgPool3d,
  QuantAdaptiveAvgPool1d, QuantAdaptiveAvgPool2d, QuantAdaptiveAvgPool3d, type QuantMaxPoolOptions, type QuantAvgPoolOptions,
} from './pooling.js';
export { QuantInstanceNorm1d, QuantInstanceNorm2d, QuantInstanceNorm3d, type QuantInstanceNormOptions } from './instance_norm.js';
export { QuantLSTMCell, QuantLSTM, type QuantLSTMCellOptions, type QuantLSTMOptions } from './rnn.js';
