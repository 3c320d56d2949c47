// inspectOnnx: what a model file holds and whether pq can import it, without building it.
import { parseOnnx, initializerSize } from './parse.js';
import { planImport } from './plan.js';
import { elemTypeName, type Dim } from './types.js';
import { OnnxImportError } from './errors.js';

export interface OnnxInspection {
  irVersion: number;
  opset: number;
  /** Other operator sets the file imports ('com.microsoft 1'). */
  otherDomains: string[];
  producer: string;
  inputs: Array<{ name: string; type: string; shape: Dim[] | null }>;
  outputs: Array<{ name: string; type: string; shape: Dim[] | null }>;
  /** Node count per op type, most frequent first. */
  ops: Array<[string, number]>;
  /** Elements of the float initializers. */
  parameters: number;
  /** Whether importOnnx takes the model. */
  importable: boolean;
  /** Why not: every node or file problem found. */
  problems: string[];
}

/** Describes an ONNX model; a file that is not ONNX at all throws an OnnxImportError. */
export function inspectOnnx(bytes: Uint8Array | ArrayBuffer): OnnxInspection {
  const model = parseOnnx(bytes);
  const counts = new Map<string, number>();
  for (const n of model.nodes) {
    const op = n.domain === '' ? n.opType : `${n.domain}.${n.opType}`;
    counts.set(op, (counts.get(op) ?? 0) + 1);
  }
  let parameters = 0;
  for (const t of model.initializers.values()) if (t.dataType === 1) parameters += initializerSize(t);
  const problems: string[] = [];
  try {
    planImport(model, { collect: problems, reserved: () => false });
  } catch (e) {
    if (!(e instanceof OnnxImportError)) throw e;
    problems.push(e.message);
  }
  const value = (v: { name: string; type: { elemType: number; shape: Dim[] | null } }) => ({ name: v.name, type: elemTypeName(v.type.elemType), shape: v.type.shape });
  return {
    irVersion: model.irVersion,
    opset: model.opset,
    otherDomains: model.otherDomains,
    producer: model.producer,
    inputs: model.inputs.map(value),
    outputs: model.outputs.map(value),
    ops: [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    parameters,
    importable: problems.length === 0,
    problems,
  };
}

