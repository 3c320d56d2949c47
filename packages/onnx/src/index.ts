// @pq/onnx: ONNX models in, as pq modules that run, train, quantize and export back.
export { importOnnx, type ImportOnnxOptions } from './import.js';
export { OnnxModule, type OnnxValueInfo } from './graph_module.js';
export { inspectOnnx, type OnnxInspection } from './inspect.js';
export { OnnxImportError } from './errors.js';
export { MIN_IMPORT_OPSET, MAX_IMPORT_OPSET } from './parse.js';
export { supportedOps } from './ops/index.js';
export { formatDims, type Dim } from './types.js';
