// Registers tfjs-core's gradients and chained ops and the cpu backend before anything else runs.
import './tfjs_setup.js';
// On Node: the wasm backend with pq's kernels as tfjs's default (accel/default_node.ts).
import '#accel-default';
export * from './module.js';
export * from './hooks.js';
// float layers (PyTorch nn), the functional API F, initialisation, seeding, state files
export * from './layers/index.js';
export * as F from './functional/index.js';
export * as init from './init.js';
export { Generator, defaultGenerator, manualSeed } from './random.js';
export * from './io/index.js';
// quantization (ops, TensorQuantizer, quant layers, calibration, QAT helpers)
export * from './ops/index.js';
export * from './quant/index.js';
export * from './calibrate.js';
export * from './optim.js';
export { MomentumSGD } from './momentum_sgd.js';
export * from './quant_modules.js';
export * from './replace_with_quant.js';
// ModelOpt-style API: quantize(model, config, forwardLoop), presets, SmoothQuant / AWQ
export * from './model_quant/index.js';
// ONNX export (tracer, Q/DQ pairs, onnx-proto ModelProto)
export * from './onnx/index.js';
// opt-in training speed: wasm backend + pq's kernels for what it lacks
export * from './accel/index.js';
