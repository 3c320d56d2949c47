// What a converter sees: the graph, the export options and the names of the tensors it gets.
import type * as tf from '@tensorflow/tfjs-core';
import type { OnnxGraph } from './graph.js';

/** Raised when a model (or one of its settings) cannot be exported; names the module and why. */
export class OnnxExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

export interface ConvertContext {
  readonly graph: OnnxGraph;
  readonly opset: number;
  readonly dynamicBatch: boolean;
  /** How E4M3 quantizers export (ExportOnnxOptions.fp8Format). */
  readonly fp8Format: 'trt' | 'onnx';
  /** With dynamicBatch, the sample's batch size (dimension 0 of the first input); else null. */
  readonly sampleBatch: number | null;
  /** An int64 [1] graph value holding the first input's batch size at run time (built once). */
  runtimeBatch(): string;
  /** Dotted path of the module being converted ('' for the model itself), for node names. */
  readonly scope: string;
  /** A short label of what is being converted, e.g. "'conv1' (QuantConv2d)", for errors. */
  readonly where: string;
  /** The graph value name of a tensor that reached this op (input, earlier output, weight or constant). */
  nameOf(t: unknown, what: string): string;
  /**
   * True when `t` is a constant that no traced code computed (a tf.zeros / tf.tensor literal)
   * and has no graph name yet; converters may then build it in the graph instead (e.g. a zero
   * state whose batch must follow the input).
   */
  isLiteral(t: unknown): boolean;
  /**
   * The values of `t` when the graph would hold it as a constant (a parameter, a buffer or a
   * literal), with the initializer name it would get (its state-dict path); else null. Lets a
   * converter store a transformed constant instead (a weight as integers).
   */
  constantOf(t: unknown): { data: Float32Array; name: string } | null;
  /** Names the graph value that holds the (already computed) tfjs tensor `t`. */
  bind(t: unknown, name: string): void;
  /** `scope/base`: a base for node and value names. */
  local(base: string): string;
  /** Throws an OnnxExportError naming the current module. */
  refuse(reason: string): never;
}

export function isTensor(t: unknown): t is tf.Tensor {
  return typeof t === 'object' && t !== null && 'dataId' in t && 'shape' in t && 'dtype' in t;
}
