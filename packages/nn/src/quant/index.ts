export { TensorQuantizer, type TensorQuantizerOptions, type QuantizerCalibrator, type AmaxValue } from './tensor_quantizer.js';
export { Clip, type ClipOptions } from './clip.js';
