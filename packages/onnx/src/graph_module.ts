// The imported model: a Module whose children are the imported layers (by their module paths,
// through ModuleDict containers, so state-dict keys are the original ones) and whose forward
// runs the graph's steps in order: a layer step calls the layer found at its path (so
// replaceWithQuant's swaps take effect), a functional step runs its op through @pq/nn's
// functional hook (so exportOnnx writes it back).
import * as tf from '@tensorflow/tfjs-core';
import { Module, ModuleDict, functional, parameter } from '@pq/nn';
import { describeValue } from '@pq/core';
import { constToTensor, type ConstTensor } from './tensors.js';
import { ElemType, formatDims, tfDtypeOf, type Dim } from './types.js';
import type { GraphInput, ImportPlan, NodeLabel, Step } from './plan.js';
import type { PreparedOp } from './ops/op.js';

/** Each constant tensor of an imported model and the initializer or Constant it came from (for export). */
export const CONSTANT_ORIGIN = new WeakMap<tf.Tensor, ConstTensor>();

/** What the functional hook carries for an imported op: the op and its node. */
export interface OnnxOpAttrs {
  op: PreparedOp;
  node: NodeLabel;
}

/** The name of the functional op an imported ONNX op runs as (`onnx.Reshape`). */
export function functionalName(opType: string): string {
  return `onnx.${opType}`;
}

/** A graph value's description, as `inputs` / `outputs` list them. */
export interface OnnxValueInfo {
  name: string;
  /** 'float32', 'int32' (ONNX INT64 / INT32) or 'bool'. */
  dtype: 'float32' | 'int32' | 'bool';
  /** Sizes, symbolic names ('batch') and null for unknown dimensions; null when the rank is unknown. */
  shape: Dim[] | null;
}

export class OnnxModule extends Module {
  readonly #steps: Step[];
  readonly #inputs: GraphInput[];
  readonly #outputs: ImportPlan['outputs'];
  readonly #constants = new Map<string, tf.Tensor>();
  readonly #parameters = new Map<string, string[]>();
  readonly #opset: number;

  /** Builds the model from a checked plan (importOnnx does this). */
  constructor(plan: ImportPlan) {
    super();
    this.#steps = plan.steps;
    this.#inputs = plan.inputs;
    this.#outputs = plan.outputs;
    this.#opset = plan.opset;
    try {
      for (const s of plan.steps) if (s.kind === 'layer') this.#place(s.path, s.plan.create());
      for (const [value, { path, value: c }] of plan.parameters) {
        this.#place(path, parameter(constToTensor(c), path.join('.')));
        this.#parameters.set(value, path);
      }
      for (const [name, c] of plan.constants) {
        const t = constToTensor(c);
        CONSTANT_ORIGIN.set(t, c);
        this.#constants.set(name, t);
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.eval();
  }

  /** The graph's inputs (name, dtype, shape with symbolic dimensions), in call order. */
  get inputs(): OnnxValueInfo[] {
    return this.#inputs.map((i) => ({ name: i.name, dtype: tfDtypeOf(i.elemType), shape: i.shape && [...i.shape] }));
  }

  /** The graph's outputs, in the order forward returns them. */
  get outputs(): OnnxValueInfo[] {
    return this.#outputs.map((o) => ({ name: o.name, dtype: tfDtypeOf(o.type.elemType), shape: o.type.shape && [...o.type.shape] }));
  }

  /** The model's default-domain opset. */
  get opset(): number {
    return this.#opset;
  }

  /** Runs the graph on its inputs (in `inputs` order); one output is returned as a tensor, several as an array. */
  override forward(...xs: tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    this.#checkInputs(xs);
    const env = new Map<string, tf.Tensor>();
    this.#inputs.forEach((i, k) => env.set(i.name, xs[k]!));
    const value = (name: string): tf.Tensor => {
      const t = env.get(name) ?? this.#constants.get(name);
      if (t !== undefined) return t;
      const path = this.#parameters.get(name);
      if (path !== undefined) return this.#at(path) as unknown as tf.Tensor;
      throw new Error(`imported model: value '${name}' is not defined`);
    };
    for (const s of this.#steps) {
      if (s.kind === 'layer') {
        env.set(s.output, (this.#at(s.path) as Module).call(value(s.input)) as tf.Tensor);
        continue;
      }
      const ins = s.inputs.map((n) => (n === '' ? null : value(n)));
      const attrs: OnnxOpAttrs = { op: s.op, node: s.label };
      const outs = functional(functionalName(s.label.opType), ins, attrs as unknown as Record<string, unknown>, () => runStep(s, ins));
      s.outputs.forEach((name, i) => {
        if (name !== '' && outs[i] !== undefined) env.set(name, outs[i]!);
      });
    }
    const outs = this.#outputs.map((o) => value(o.name));
    return outs.length === 1 ? outs[0]! : outs;
  }

  override dispose(): void {
    super.dispose();
    for (const t of this.#constants.values()) t.dispose();
    this.#constants.clear();
  }

  override extraRepr(): string {
    const dims = (i: OnnxValueInfo) => `${i.name}: ${formatDims(i.shape)}`;
    return `inputs=(${this.inputs.map(dims).join(', ')}), opset=${this.#opset}`;
  }

  /** Sets `value` at `path`, creating ModuleDict containers on the way. */
  #place(path: readonly string[], value: Module | tf.Variable): void {
    let owner: Module = this;
    for (const seg of path.slice(0, -1)) {
      const next = (owner as unknown as Record<string, unknown>)[seg];
      if (next instanceof Module) owner = next;
      else {
        const dict = new ModuleDict();
        (owner as unknown as Record<string, unknown>)[seg] = dict;
        owner = dict;
      }
    }
    (owner as unknown as Record<string, unknown>)[path[path.length - 1]!] = value;
  }

  #at(path: readonly string[]): unknown {
    let v: unknown = this;
    for (const seg of path) v = (v as Record<string, unknown>)[seg];
    if (v === undefined) throw new Error(`imported model: nothing at '${path.join('.')}' (was it removed?)`);
    return v;
  }

  #checkInputs(xs: readonly unknown[]): void {
    const n = this.#inputs.length;
    if (xs.length !== n) {
      throw new TypeError(`imported model: ${xs.length} input${xs.length === 1 ? '' : 's'} given, ${n} expected (${this.#inputs.map((i) => i.name).join(', ')})`);
    }
    const symbols = new Map<string, [number, string]>();
    this.#inputs.forEach((spec, k) => {
      const x = xs[k];
      if (!(x instanceof tf.Tensor)) throw new TypeError(`imported model: input '${spec.name}' must be a tf.Tensor, got ${describeValue(x)}`);
      const dtype = tfDtypeOf(spec.elemType);
      if (x.dtype !== dtype) {
        throw new TypeError(`imported model: input '${spec.name}' has dtype ${x.dtype}; the model takes ${dtype}${spec.elemType === ElemType.INT64 ? ' (ONNX INT64 values as int32)' : ''}`);
      }
      const s = spec.shape;
      if (s === null) return;
      const bad = (why: string): never => {
        throw new Error(`imported model: input '${spec.name}' of shape [${x.shape.join(', ')}] does not fit the model's ${formatDims(s)}: ${why}`);
      };
      if (x.rank !== s.length) bad(`rank ${x.rank}, ${s.length} expected`);
      s.forEach((d, i) => {
        const got = x.shape[i]!;
        if (typeof d === 'number' && got !== d) bad(`dimension ${i} is ${got}, ${d} expected`);
        if (typeof d === 'string') {
          const seen = symbols.get(d);
          if (seen !== undefined && seen[0] !== got) bad(`'${d}' is ${got} here but ${seen[0]} in input '${seen[1]}'`);
          symbols.set(d, [got, spec.name]);
        }
      });
    });
  }
}

function runStep(s: Extract<Step, { kind: 'op' }>, ins: Array<tf.Tensor | null>): tf.Tensor[] {
  try {
    return s.op.run!(ins);
  } catch (e) {
    if (e instanceof Error && !e.message.startsWith(`${s.label.opType} node`)) {
      e.message = `${s.label.opType} node '${s.label.name || s.label.outputs[0]}': ${e.message}`;
    }
    throw e;
  }
}
