// importOnnx: bytes -> a checked plan -> the OnnxModule.
import { checkOptions } from '@pq/core';
import { ModuleDict } from '@pq/nn';
import { parseOnnx } from './parse.js';
import { planImport } from './plan.js';
import { OnnxModule } from './graph_module.js';
import { registerOnnxOpExport } from './export.js';

export interface ImportOnnxOptions {
  /**
   * Shapes for graph inputs by name (sizes, symbolic names or null to keep the file's
   * dimension): fixes dimensions the file leaves open, e.g. the spatial size an auto_pad
   * SAME pooling needs. Checked against the file's shape.
   */
  inputShapes?: Record<string, ReadonlyArray<number | string | null>>;
}

const ROOT = OnnxModule.prototype as object;
const CONTAINER = ModuleDict.prototype as object;

/** Whether `segment` would collide with a member of the module that holds it. */
function reserved(segment: string, depth: number): boolean {
  return segment === 'training' || segment in (depth === 0 ? ROOT : CONTAINER);
}

/**
 * Imports an ONNX model (its serialized bytes) as a pq module: pq's own layers where nodes map
 * onto them (Conv, Gemm / MatMul + Add, BatchNormalization, LayerNormalization, pools,
 * activations), named by the file's initializers, functional ops for the rest. The whole graph
 * is checked first: an unsupported operator, attribute or file is refused with an
 * OnnxImportError naming it. The module comes in eval mode; call `.train()` to fine-tune it.
 */
export function importOnnx(bytes: Uint8Array | ArrayBuffer, o: ImportOnnxOptions = {}): OnnxModule {
  checkOptions('importOnnx', o, { inputShapes: 'object' });
  const model = parseOnnx(bytes);
  const plan = planImport(model, { inputShapes: o.inputShapes, reserved });
  registerOnnxOpExport();
  return new OnnxModule(plan);
}
