// The ONNX check of the CLI: the exported model in onnxruntime-node (onnxCompare.ts).
import * as ort from 'onnxruntime-node';
import type { Split } from './data/dataset.js';
import { compareOnnx, type OnnxCheck } from './onnxCompare.js';

export type { OnnxCheck };

export function checkOnnx(bytes: Uint8Array, pqPredict: (batch: Split) => Float32Array, test: Split): Promise<OnnxCheck> {
  return compareOnnx(ort, bytes, pqPredict, test);
}
