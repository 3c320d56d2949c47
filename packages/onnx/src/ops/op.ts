// What an ONNX operator is to the importer: at import it reads and checks its node (attributes,
// constant inputs, static types) and returns a PreparedOp — how to run it on tfjs tensors,
// how to write it back into an ONNX graph on export, and, where the node is one of pq's layers,
// how to build that layer.
import * as tf from '@tensorflow/tfjs-core';
import type { Attr, Module } from '@pq/nn';
import type { NodeAttributes } from '../attributes.js';
import type { ConstTensor } from '../tensors.js';
import type { Dim, ValueType } from '../types.js';

/** What an op sees of its node while it is being checked. */
export interface OpContext {
  readonly opType: string;
  readonly opset: number;
  readonly attrs: NodeAttributes;
  /** Number of inputs given (trailing omitted ones not counted). */
  readonly inputCount: number;
  /** Number of outputs the graph uses (trailing unused ones not counted). */
  readonly outputCount: number;
  /** Whether input i is given ('' and missing trailing inputs are absent). */
  has(i: number): boolean;
  /** The static type of input i (an error when absent). */
  type(i: number): ValueType;
  /** Input i's static shape, or null when its rank is unknown. */
  shape(i: number): Dim[] | null;
  /** Input i's value when it is a constant (initializer or Constant node), else null. */
  constant(i: number): ConstTensor | null;
  /** Input i's integer values; the node is refused when it is not a constant. */
  constInts(i: number, what: string): number[];
  /** Whether input i is an initializer that nothing but this node uses (it may become a layer parameter). */
  ownsInitializer(i: number): boolean;
  /** Whether output i is used by another node or is a graph output. */
  outputUsed(i: number): boolean;
  /** Throws an OnnxImportError naming the op, the node and the opset. */
  refuse(why: string): never;
}

/** How an op writes itself into the ONNX graph that exportOnnx builds. */
export interface Emitter {
  /** The export's opset (@pq/nn's MIN_OPSET to MAX_OPSET). */
  readonly opset: number;
  /** Number of inputs the op had (absent ones in between included). */
  readonly inputCount: number;
  /** Name of the graph value that input i holds ('' when absent). */
  input(i: number): string;
  /** The tensor input i held at run time (null when absent). */
  inputTensor(i: number): tf.Tensor | null;
  /** The tensor output i held at run time. */
  outputTensor(i: number): tf.Tensor;
  /** Emits the node producing this op's outputs (the first `count`, default all); returns their names. */
  node(opType: string, inputs: readonly string[], attrs?: Record<string, Attr>, count?: number): string[];
  /** Emits an intermediate node; returns its output names. */
  temp(opType: string, inputs: readonly string[], attrs?: Record<string, Attr>, count?: number): string[];
  /** Output i is the existing value `name` (an op that passes a value through). */
  alias(i: number, name: string): void;
  int64(values: readonly number[], dims?: readonly number[]): string;
  float(values: readonly number[], dims?: readonly number[]): string;
}

/** The import of a node onto one of pq's layers. */
export interface LayerPlan {
  /** Builds the layer with the node's parameters (called once the whole graph is checked). */
  create(): Module;
  /** The input that carries the data (the others are the layer's parameters). */
  dataInput: number;
  /** Initializer inputs that become the layer's parameters, by field ('weight', 'bias', ...). */
  params: Record<string, number>;
  /** For a layer without bias whose output an Add of a constant [out] vector shifts: the same layer with that bias. */
  withBias?(bias: ConstTensor): (() => Module) | null;
  /** Set by the importer when it fused an Add's bias in: that initializer's name. */
  fusedBias?: string;
  /** Padding applied before the layer ([begin..., end...] of the spatial axes, and its value), when the layer cannot pad so itself. */
  prePad?: { pads: number[]; value: number };
}

export interface PreparedOp {
  /** Static types of the outputs. */
  outputs: ValueType[];
  /** The op on tfjs tensors (absent for an op that only imports as a layer). */
  run?(inputs: ReadonlyArray<tf.Tensor | null>): tf.Tensor[];
  emit?(e: Emitter): void;
  /** Set when the node maps onto a pq layer (which then runs and exports it). */
  layer?: LayerPlan;
}

export type OpDef = (c: OpContext) => PreparedOp;

/**
 * `f` of `inputs` with no gradient: comparisons and casts to integers or booleans, whose
 * outputs cannot carry one (tfjs would otherwise fail looking for a gradient on the way back).
 */
export function withoutGradient(inputs: readonly tf.Tensor[], f: () => tf.Tensor): tf.Tensor {
  const g = tf.customGrad((() => ({ value: f(), gradFunc: () => inputs.map((x) => tf.zeros(x.shape)) })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return g(...inputs) as tf.Tensor;
}

/** Integer values of a tensor read at run time (shape arithmetic). */
export function intsOf(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Re-emits the node as it came (same op type, every input, `attrs`). */
export function emitSame(opType: string, attrs: Record<string, Attr> = {}): (e: Emitter) => void {
  return (e) => {
    e.node(opType, inputNames(e), attrs);
  };
}

/** The names of every input ('' for absent ones). */
export function inputNames(e: Emitter): string[] {
  return Array.from({ length: e.inputCount }, (_, i) => e.input(i));
}
