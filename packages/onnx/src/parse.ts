// Bytes -> the parts of an ONNX model the importer works from. Decoding goes through @pq/nn's
// ONNX protobuf (decodeOnnx); its errors are turned into messages about the file (not ONNX,
// truncated), and the decoded model is checked for what a real ONNX file always has (an IR
// version, a graph, a default-domain opset) before anything else looks at it.
import { decodeOnnx, type AttributeProto, type TensorProto, type ValueInfoProto } from '@pq/nn';
import { OnnxImportError } from './errors.js';
import { decodeTensor, longToNumber, type ConstTensor, type LongLike } from './tensors.js';
import type { Dim, ValueType } from './types.js';

/** The default-domain opsets pq imports. */
export const MIN_IMPORT_OPSET = 11;
export const MAX_IMPORT_OPSET = 21;

export interface ParsedNode {
  /** Position in the graph's node list. */
  index: number;
  /** The node's name in the file ('' when it has none). */
  name: string;
  opType: string;
  domain: string;
  /** Value names; '' is an omitted optional input or output. */
  inputs: string[];
  outputs: string[];
  attributes: AttributeProto[];
}

export interface GraphValue {
  name: string;
  type: ValueType;
}

export interface ParsedModel {
  irVersion: number;
  /** Version of the default ('' / 'ai.onnx') operator set. */
  opset: number;
  /** Other operator sets the model imports, as 'domain version'. */
  otherDomains: string[];
  producer: string;
  graphName: string;
  /** Graph inputs that are not initializers. */
  inputs: GraphValue[];
  outputs: GraphValue[];
  /** Initializers by name, decoded on first use (constant()). */
  initializers: Map<string, TensorProto>;
  nodes: ParsedNode[];
  /** Types the file records for intermediate values (value_info), by name. */
  valueInfo: Map<string, ValueType>;
}

function toBytes(bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new TypeError(`importOnnx: expected the model's bytes (a Uint8Array or ArrayBuffer), got ${bytes === null ? 'null' : typeof bytes}`);
}

function valueType(v: ValueInfoProto, where: string): ValueType {
  const tensor = v.type?.tensorType;
  if (v.type !== null && v.type !== undefined && (tensor === null || tensor === undefined)) {
    throw new OnnxImportError(`${where} is not a tensor (sequences, maps and optionals are not supported)`);
  }
  const elemType = tensor?.elemType ?? 0;
  const dims = tensor?.shape?.dim;
  const shape: Dim[] | null = tensor?.shape === null || tensor?.shape === undefined
    ? null
    : (dims ?? []).map((d) => {
        if (d.dimParam) return d.dimParam;
        if (d.dimValue !== null && d.dimValue !== undefined && Object.prototype.hasOwnProperty.call(d, 'dimValue')) {
          const n = longToNumber(d.dimValue as LongLike, `${where}: dimension`);
          if (n < 0) throw new OnnxImportError(`${where} has a negative dimension ${n}`);
          return n;
        }
        return null;
      });
  return { elemType, shape };
}

/**
 * Decodes and checks `bytes` as an ONNX ModelProto. Throws an OnnxImportError for a file that
 * is not ONNX, is truncated, or lacks what every ONNX model has.
 */
export function parseOnnx(input: Uint8Array | ArrayBuffer): ParsedModel {
  const bytes = toBytes(input);
  if (bytes.length === 0) throw new OnnxImportError('not an ONNX model: the file is empty');
  let decoded: ReturnType<typeof decodeOnnx>;
  try {
    decoded = decodeOnnx(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    // protobufjs reports reading past the end as "index out of range". Serializers write fields
    // in number order, so an ONNX file begins with ir_version (field 1, a varint: byte 0x08);
    // anything else that fails to decode is some other file.
    if (/index out of range/.test(why) && bytes[0] === 0x08) {
      throw new OnnxImportError(`not a complete ONNX model: the data ends in the middle of a field (truncated file?) (protobuf: ${why})`);
    }
    throw new OnnxImportError(`not an ONNX model: the bytes are not a valid ONNX protobuf (protobuf: ${why})`);
  }
  const { model, graph } = decoded;
  const irVersion = longToNumber(model.irVersion as LongLike, 'ir_version');
  if (irVersion <= 0 || graph === null || graph === undefined) {
    throw new OnnxImportError(`not an ONNX model: ${irVersion <= 0 ? 'no ir_version' : 'no graph'} (is it a complete .onnx file?)`);
  }
  let opset: number | null = null;
  const otherDomains: string[] = [];
  for (const o of model.opsetImport ?? []) {
    const version = longToNumber(o.version as LongLike, 'opset_import version');
    if (o.domain === '' || o.domain === 'ai.onnx' || o.domain === undefined || o.domain === null) opset = version;
    else otherDomains.push(`${o.domain} ${version}`);
  }
  if (opset === null) throw new OnnxImportError('the model imports no default-domain (ai.onnx) operator set');
  if (opset < MIN_IMPORT_OPSET || opset > MAX_IMPORT_OPSET) {
    throw new OnnxImportError(`opset ${opset} is not supported; pq imports opsets ${MIN_IMPORT_OPSET} to ${MAX_IMPORT_OPSET} (convert it with onnx.version_converter)`);
  }
  if ((graph.sparseInitializer?.length ?? 0) > 0) throw new OnnxImportError('the graph has sparse initializers, which pq does not import');

  const initializers = new Map<string, TensorProto>();
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    if (name === '') throw new OnnxImportError('an initializer has no name');
    if (initializers.has(name)) throw new OnnxImportError(`initializer '${name}' is defined twice`);
    initializers.set(name, t);
  }
  const inputs = (graph.input ?? [])
    .filter((v) => !initializers.has(v.name ?? ''))
    .map((v) => ({ name: v.name ?? '', type: valueType(v, `graph input '${v.name}'`) }));
  const outputs = (graph.output ?? []).map((v) => ({ name: v.name ?? '', type: valueType(v, `graph output '${v.name}'`) }));
  if (outputs.length === 0) throw new OnnxImportError('the graph has no outputs');
  const valueInfo = new Map<string, ValueType>();
  for (const v of graph.valueInfo ?? []) {
    try {
      valueInfo.set(v.name ?? '', valueType(v, `value '${v.name}'`));
    } catch {
      // value_info is only a hint; a value it cannot describe is checked where it is used.
    }
  }
  const nodes: ParsedNode[] = (graph.node ?? []).map((n, index) => ({
    index,
    name: n.name ?? '',
    opType: n.opType ?? '',
    domain: n.domain === 'ai.onnx' ? '' : (n.domain ?? ''),
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attributes: [...(n.attribute ?? [])],
  }));
  return {
    irVersion,
    opset,
    otherDomains,
    producer: [model.producerName, model.producerVersion].filter((s) => s).join(' '),
    graphName: graph.name ?? '',
    inputs,
    outputs,
    initializers,
    nodes,
    valueInfo,
  };
}

/** Decodes the initializer `name` (cached per model). */
export function initializerTensor(model: ParsedModel, name: string, cache: Map<string, ConstTensor>): ConstTensor {
  let c = cache.get(name);
  if (c === undefined) {
    c = decodeTensor(model.initializers.get(name)!, `initializer '${name}'`);
    cache.set(name, c);
  }
  return c;
}

/** Elements of an initializer by its dims alone (no decoding), for parameter counts. */
export function initializerSize(t: TensorProto): number {
  return (t.dims ?? []).reduce<number>((n, d) => n * Math.max(0, Number(d)), 1);
}

