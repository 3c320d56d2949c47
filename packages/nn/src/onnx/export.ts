// exportOnnx: trace the model once on sample inputs (in eval mode, as torch.onnx does) and
// serialize the captured graph (saveOnnx in @pq/nn/node writes the bytes to a file).
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@pq/core';
import type { Module } from '../module.js';
import { Tracer } from './tracer.js';
import { DataType, encodeModel, valueInfo, type DataTypeCode, type ValueInfoProto } from './proto.js';
import { OnnxExportError, isTensor } from './context.js';
import { TensorQuantizer } from '../quant/tensor_quantizer.js';
import { quantizerProblem } from './quantizer.js';
import './converters.js';

export interface ExportOnnxOptions {
  /**
   * ONNX default-domain opset, 13 to 21 (default 13; per-channel Q/DQ needs >= 13; Gelu is an op
   * from 20; 4-bit integers and block-wise DequantizeLinear from 21).
   */
  opset?: number;
  /**
   * How E4M3 quantizers export: 'trt' (default), TensorRT's `trt::TRT_FP8QuantizeLinear` /
   * `TRT_FP8DequantizeLinear` as the reference writes them; 'onnx', the standard
   * QuantizeLinear / DequantizeLinear with a FLOAT8E4M3FN zero point (opset 19+), which ONNX
   * Runtime runs.
   */
  fp8Format?: 'trt' | 'onnx';
  /** Graph input names (default 'input', or 'input0', 'input1', ... for several). */
  inputNames?: string[];
  /** Graph output names (default 'output', or 'output0', ...). */
  outputNames?: string[];
  /** Make dimension 0 of every input and output symbolic ('batch'); default true. */
  dynamicBatch?: boolean;
  /** ModelProto.producer_name (default 'pq'). */
  producerName?: string;
}

export const MIN_OPSET = 13;
export const MAX_OPSET = 21;
const PRODUCER_VERSION = '0.1.0';
const BATCH = 'batch';

/**
 * Exports `model` to a serialized ONNX ModelProto. The forward runs once on `sampleInputs`
 * (in eval mode; each module's training flag is restored afterwards) while pq's modules and
 * F functions record their ONNX nodes. Quantizers become QuantizeLinear/DequantizeLinear; a
 * block-wise or sub-8-bit quantizer of a weight becomes that weight as integers (INT4 or INT8)
 * and a DequantizeLinear (with block_size for blocks).
 */
export function exportOnnx(model: Module, sampleInputs: tf.Tensor | tf.Tensor[], o: ExportOnnxOptions = {}): Uint8Array {
  checkOptions('exportOnnx', o, {
    opset: 'integer', inputNames: 'object', outputNames: 'object', dynamicBatch: 'boolean', producerName: 'string', fp8Format: 'string',
  });
  const opset = o.opset ?? 13;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new RangeError(`exportOnnx: opset ${opset} is not supported (use ${MIN_OPSET} to ${MAX_OPSET})`);
  }
  const fp8Format = o.fp8Format ?? 'trt';
  if (fp8Format !== 'trt' && fp8Format !== 'onnx') throw new TypeError(`exportOnnx: fp8Format must be 'trt' or 'onnx', got '${String(fp8Format)}'`);
  const dynamicBatch = o.dynamicBatch ?? true;
  const inputs = Array.isArray(sampleInputs) ? sampleInputs : [sampleInputs];
  inputs.forEach((t, i) => {
    if (!isTensor(t)) throw new TypeError(`exportOnnx: sample input ${i} is not a tf.Tensor`);
    if (t.dtype !== 'float32' && t.dtype !== 'int32') {
      throw new TypeError(`exportOnnx: sample input ${i} has dtype ${t.dtype}; float32 (or int32 indices) expected`);
    }
  });
  const inputNames = names(o.inputNames, inputs.length, 'input', 'inputNames');
  const clash = (o.outputNames ?? []).filter((n) => inputNames.includes(n));
  if (clash.length) throw new TypeError(`exportOnnx: outputNames ${clash.join(', ')} are also input names`);

  // Quantizer settings that cannot export are refused up front, named by their path.
  for (const [path, m] of model.namedModules()) {
    const problem = m instanceof TensorQuantizer ? quantizerProblem(m, { opset, fp8Format }) : null;
    if (problem !== null) throw new OnnxExportError(`ONNX export: quantizer '${path || model.typeName}': ${problem}`);
  }

  const tracer = new Tracer(model, { opset, dynamicBatch, fp8Format });
  const graphInputs = inputs.map((t, i) => {
    tracer.graph.reserve(inputNames[i]!, 'input');
    tracer.bindInput(t, inputNames[i]!);
    return valueInfo(inputNames[i]!, t.dtype === 'int32' ? DataType.INT32 : DataType.FLOAT, symbolicShape(t.shape, dynamicBatch));
  });

  const training = [...model.namedModules()].map(([, m]) => [m, m.training] as const);
  model.eval();
  let graphOutputs: ValueInfoProto[] = [];
  try {
    tf.tidy(() => {
      const out = tracer.run(() => model.call(...inputs));
      const outs = flattenOutputs(out);
      const outputNames = names(o.outputNames, outs.length, 'output', 'outputNames');
      const seen = new Set<string>();
      graphOutputs = outs.map((t, i) => {
        const value = tracer.nameOf(t, `model output ${i}`);
        const name = outputNames[i]!;
        // Rename the producing node's output when we can; else (an input passed through, a
        // constant, a value output twice) add an Identity.
        if (value !== name) {
          tracer.graph.reserve(name, 'output');
          if (seen.has(value) || inputNames.includes(value) || !tracer.renameValue(value, name)) {
            tracer.graph.nodes.push({ name: `${name}/Identity`, opType: 'Identity', domain: '', input: [value], output: [name] });
          }
        }
        seen.add(name);
        return valueInfo(name, outputType(tracer.graph.valueTypes.get(value), t), symbolicShape(t.shape, dynamicBatch));
      });
    });
  } finally {
    for (const [m, on] of training) m.training = on;
  }

  const g = tracer.graph;
  return encodeModel({
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: graphInputs,
    outputs: graphOutputs,
    graphName: model.typeName,
    opset,
    domains: [...g.domains],
    producerName: o.producerName ?? 'pq',
    producerVersion: PRODUCER_VERSION,
  });
}

function names(given: string[] | undefined, count: number, base: string, option: string): string[] {
  if (given === undefined) return count === 1 ? [base] : Array.from({ length: count }, (_, i) => `${base}${i}`);
  if (given.length !== count) throw new TypeError(`exportOnnx: ${option} has ${given.length} names for ${count} ${base}s`);
  if (new Set(given).size !== given.length) throw new TypeError(`exportOnnx: ${option} has duplicate names (${given.join(', ')})`);
  return given;
}

function symbolicShape(shape: readonly number[], dynamicBatch: boolean): Array<number | string> {
  return shape.map((d, i) => (dynamicBatch && i === 0 ? BATCH : d));
}

/** A graph output's element type: what its converter declared, else by the tensor's dtype. */
function outputType(declared: number | undefined, t: tf.Tensor): DataTypeCode {
  if (declared !== undefined) return declared as DataTypeCode;
  return t.dtype === 'int32' ? DataType.INT32 : t.dtype === 'bool' ? DataType.BOOL : DataType.FLOAT;
}

function flattenOutputs(out: unknown): tf.Tensor[] {
  if (isTensor(out)) return [out];
  if (Array.isArray(out)) return out.flatMap(flattenOutputs);
  throw new OnnxExportError(`ONNX export: the model's forward returned ${String(out)}; a tensor or an array of tensors is needed`);
}
