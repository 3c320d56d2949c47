// Writing imported ops back: @pq/nn's exportOnnx traces the imported model; each functional
// step arrives at the converter registered here under its `onnx.<OpType>` name, which lets the
// op emit itself (at the export's opset). Constants are written with their original element
// type and values (int64 shape constants stay int64), named as in the imported file.
import type * as tf from '@tensorflow/tfjs-core';
import { registerFunctionalConverter, type Attr, type ConvertContext } from '@pq/nn';
import { CONSTANT_ORIGIN, functionalName, type OnnxOpAttrs } from './graph_module.js';
import { OPS } from './ops/index.js';
import type { Emitter } from './ops/op.js';
import type { NodeLabel } from './plan.js';
import { ElemType } from './types.js';

class OpEmitter implements Emitter {
  readonly opset: number;
  private readonly base: string;

  constructor(
    private readonly ctx: ConvertContext,
    private readonly inputs: ReadonlyArray<tf.Tensor | null>,
    private readonly outputs: readonly tf.Tensor[],
    private readonly label: NodeLabel,
    /** The ONNX element types of the op's outputs (declared on the graph for non-float ones). */
    private readonly types: readonly number[],
  ) {
    this.opset = ctx.opset;
    this.base = label.name || label.outputs[0] || label.opType;
  }

  get inputCount(): number {
    return this.inputs.length;
  }

  input(i: number): string {
    const t = this.inputs[i] ?? null;
    if (t === null) return '';
    const origin = CONSTANT_ORIGIN.get(t);
    if (origin !== undefined && this.ctx.isLiteral(t)) {
      const data = origin.int64 ?? origin.values;
      const name = this.ctx.graph.initializer(origin.name, origin.elemType, origin.dims, data as Float32Array);
      this.ctx.bind(t, name);
      return name;
    }
    return this.ctx.nameOf(t, `input ${i}`);
  }

  inputTensor(i: number): tf.Tensor | null {
    return this.inputs[i] ?? null;
  }

  outputTensor(i: number): tf.Tensor {
    return this.outputs[i]!;
  }

  node(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, count = this.outputs.length): string[] {
    const names = this.ctx.graph.node(opType, inputs, this.label.outputs.slice(0, count).map((o, i) => o || `${this.base}_out${i}`), attrs, { name: this.base });
    names.forEach((n, i) => {
      this.ctx.bind(this.outputs[i], n);
      const type = this.types[i];
      if (type !== undefined && type !== ElemType.FLOAT) this.ctx.graph.valueTypes.set(n, type);
    });
    return names;
  }

  temp(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, count = 1): string[] {
    const outs = Array.from({ length: count }, (_, i) => `${this.base}/${opType}_output_${i}`);
    return this.ctx.graph.node(opType, inputs, outs, attrs, { name: `${this.base}/${opType}` });
  }

  alias(i: number, name: string): void {
    this.ctx.bind(this.outputs[i], name);
  }

  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.ctx.graph.int64Const(`${this.base}/const`, values, dims);
  }

  float(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.ctx.graph.floatConst(`${this.base}/const`, dims, values);
  }
}

let registered = false;

/** Registers the export of every imported op with @pq/nn's exporter (once). */
export function registerOnnxOpExport(): void {
  if (registered) return;
  registered = true;
  registerFunctionalConverter(Object.keys(OPS).map(functionalName), (ctx, inputs, attrs, output) => {
    const { op, node } = attrs as unknown as OnnxOpAttrs;
    op.emit!(new OpEmitter(ctx, inputs as Array<tf.Tensor | null>, [output].flat() as tf.Tensor[], node, op.outputs.map((t) => t.elemType)));
  });
}
