export {
  quantize, calibrate, setQuantizerByCfg, printQuantSummary, disableQuantizer, enableQuantizer, type ForwardLoop,
} from './quantize.js';
export {
  INT8_DEFAULT_CFG, INT8_SMOOTHQUANT_CFG, FP8_DEFAULT_CFG, INT4_BLOCKWISE_WEIGHT_ONLY_CFG, INT4_AWQ_CFG, W4A8_AWQ_BETA_CFG,
  DEFAULT_DISABLED_QUANTIZER_CFG, type QuantizeConfig, type QuantCfg, type QuantizerAttributes, type QuantizerAttributesOrList,
  type QuantizerPattern, type QuantizeAlgorithm, type AlgorithmName, type AlgorithmOptions, type SmoothQuantOptions,
  type AwqLiteOptions, type AwqClipOptions, type AwqFullOptions,
} from './config.js';
export { SequentialQuantizer } from './sequential_quantizer.js';
export { matchesPattern } from './patterns.js';
