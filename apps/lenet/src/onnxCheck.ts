// The ONNX check of the CLI: the exported model in onnxruntime-node (loaded on first use), compared
// by onnxCompare.ts.
import { loadOnnxRuntime } from '@pq/app-kit/node';
import type { Split } from './data/dataset.js';
import { compareOnnx, type OnnxCheck } from './onnxCompare.js';

export type { OnnxCheck };

export async function checkOnnx(bytes: Uint8Array, pqPredict: (batch: Split) => Float32Array, test: Split): Promise<OnnxCheck> {
  return compareOnnx(await loadOnnxRuntime(), bytes, pqPredict, test);
}
