// Builds small ONNX models for tests (onnx-proto directly: tests need graphs pq would never write).
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;
export const FLOAT = T.FLOAT;
export const INT64 = T.INT64;
export const BOOL = T.BOOL;

/** A float attribute (a bare number is an int). */
export const f = (v: number) => ({ f: v });
export const fs = (v: number[]) => ({ floats: v });
type AttrValue = number | number[] | string | { f: number } | { floats: number[] } | { t: onnxProto.onnx.ITensorProto };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
  name?: string;
  domain?: string;
}

export function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name?: string): NodeSpec {
  return { op, inputs, outputs, attrs, ...(name === undefined ? {} : { name }) };
}

export function tensor(name: string, type: number, dims: number[], data: ArrayLike<number>): onnxProto.onnx.ITensorProto {
  const bytes = type === T.FLOAT ? new Uint8Array(Float32Array.from(data).buffer)
    : type === T.INT64 ? new Uint8Array(BigInt64Array.from(Array.from(data), (v) => BigInt(v)).buffer)
    : type === T.BOOL ? Uint8Array.from(data)
    : new Uint8Array(Int32Array.from(data).buffer);
  return { name, dataType: type, dims, rawData: bytes };
}

function attribute(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: A.INT, i: v };
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
  if ('f' in v) return { name, type: A.FLOAT, f: v.f };
  if ('floats' in v) return { name, type: A.FLOATS, floats: v.floats };
  return { name, type: A.TENSOR, t: v.t };
}

export type ValueSpec = [name: string, type: number, shape: Array<number | string> | null];

export interface ModelSpec {
  opset?: number;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: onnxProto.onnx.ITensorProto[];
  irVersion?: number;
}

function valueInfo([name, type, shape]: ValueSpec): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: type, ...(shape === null ? {} : { shape: { dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } }) } },
  };
}

export function buildModel(s: ModelSpec): Uint8Array {
  const opset = s.opset ?? 13;
  const m = onnx.ModelProto.create({
    irVersion: s.irVersion ?? (opset <= 13 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10),
    producerName: 'pq-test',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'test',
      node: s.nodes.map((n, i) => ({
        name: n.name ?? `${n.op}_${i}`, opType: n.op, domain: n.domain ?? '', input: n.inputs, output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: s.initializers ?? [],
      input: s.inputs.map(valueInfo),
      output: s.outputs.map(valueInfo),
    },
  });
  return new Uint8Array(onnx.ModelProto.encode(m).finish());
}

/** A one-node model: inputs x0, x1, ... (float, `shapes`), initializers, output y. */
export interface OneOpOptions {
  opset?: number;
  initializers?: onnxProto.onnx.ITensorProto[];
  /** Inputs after x0, x1, ...: initializer names or '' for an omitted one. */
  extraInputs?: string[];
  /** Number of outputs (y, y1, ...). */
  outputs?: number;
  inputTypes?: number[];
  outputType?: number;
}

export function oneOp(op: string, shapes: Array<number[]>, attrs: Record<string, AttrValue> = {}, o: OneOpOptions = {}): Uint8Array {
  const inputs: ValueSpec[] = shapes.map((s, i) => [`x${i}`, o.inputTypes?.[i] ?? FLOAT, s]);
  const outs = Array.from({ length: o.outputs ?? 1 }, (_, i) => (i === 0 ? 'y' : `y${i}`));
  return buildModel({
    opset: o.opset,
    inputs,
    outputs: outs.map((n) => [n, o.outputType ?? FLOAT, null] as ValueSpec),
    nodes: [node(op, [...inputs.map((i) => i[0]), ...(o.extraInputs ?? [])], outs, attrs)],
    initializers: o.initializers,
  });
}
