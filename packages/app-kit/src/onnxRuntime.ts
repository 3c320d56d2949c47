// onnxruntime-node, loaded on first use: an app that never checks an export never loads it.
import type { OnnxRuntime } from './onnx.js';

/** onnxruntime-node, or a clear error when it is not installed. */
export async function loadOnnxRuntime(): Promise<OnnxRuntime> {
  try {
    return (await import('onnxruntime-node')) as unknown as OnnxRuntime;
  } catch (e) {
    throw new Error(`checking the ONNX export needs the package onnxruntime-node (${(e as Error).message})`, { cause: e });
  }
}
