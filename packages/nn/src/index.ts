export * from './module.js';
export * from './hooks.js';
// quantization (ops, TensorQuantizer, quant layers, calibration, QAT helpers)
export * from './ops/index.js';
export * from './quant/index.js';
export * from './calibrate.js';
export * from './optim.js';
