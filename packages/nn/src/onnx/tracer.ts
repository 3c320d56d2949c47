// Graph capture: runs the model's forward once with pq's hooks installed. A module call or
// functional op with a converter runs untraced and then emits its ONNX nodes; other modules
// are traced into. Values are tracked by tensor identity. A kernel listener remembers which
// tfjs kernel produced each tensor outside any converted op, so a model tensor that reaches a
// converter without a graph name can be reported as "tfjs op X ran directly in module Y".
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';
import { setFunctionalHook, setModuleCallHook } from '../hooks.js';
import { OnnxGraph } from './graph.js';
import { DataType, attr } from './proto.js';
import { OnnxExportError, isTensor, type ConvertContext } from './context.js';
import { findFunctionalConverter, findModuleConverter, functionalOps } from './registry.js';

interface KernelRecord {
  kernel: string;
  where: string;
}

type KernelFunc = (params: { kernelName?: string }) => unknown;
interface PatchableEngine {
  runKernelFunc: KernelFunc;
  state?: { activeScope?: { name?: string } | null };
}

export interface TraceOptions {
  opset: number;
  dynamicBatch: boolean;
  fp8Format?: 'trt' | 'onnx';
}

export class Tracer implements ConvertContext {
  readonly graph = new OnnxGraph();
  scope = '';
  where = 'the model';
  private readonly names = new Map<tf.Tensor, string>();
  private readonly paramPaths = new Map<tf.Tensor, string>();
  private readonly modulePaths = new Map<Module, string>();
  private readonly producedBy = new Map<tf.Tensor, KernelRecord>();
  private readonly producedInsideConverter = new Set<tf.Tensor>();
  private firstInput: { name: string; batch: number } | null = null;
  private batchValue: string | null = null;
  /** > 0 while a converted module/op runs its own forward (nothing inside is traced). */
  private converting = 0;

  constructor(
    readonly model: Module,
    readonly options: TraceOptions,
  ) {
    for (const [path, m] of model.namedModules()) if (!this.modulePaths.has(m)) this.modulePaths.set(m, path);
    for (const [path, v] of [...model.namedParameters(), ...model.namedBuffers()]) this.paramPaths.set(v, path);
  }

  get opset(): number {
    return this.options.opset;
  }
  get dynamicBatch(): boolean {
    return this.options.dynamicBatch;
  }
  get fp8Format(): 'trt' | 'onnx' {
    return this.options.fp8Format ?? 'trt';
  }
  get sampleBatch(): number | null {
    return this.options.dynamicBatch && this.firstInput !== null ? this.firstInput.batch : null;
  }

  runtimeBatch(): string {
    if (this.firstInput === null) this.refuse('the batch size at run time needs a model input of rank >= 1');
    if (this.batchValue === null) {
      const g = this.graph;
      const shape = g.op('Shape', [this.firstInput.name], 'input_shape');
      this.batchValue = g.op('Gather', [shape, g.int64Const('batch_index', [0])], 'batch_size', { axis: attr.int(0) });
    }
    return this.batchValue;
  }

  /** Runs `forward` with the hooks and the kernel listener installed; restores them after. */
  run<T>(forward: () => T): T {
    const engine = tf.engine() as unknown as PatchableEngine;
    const ownKernelFunc = Object.prototype.hasOwnProperty.call(engine, 'runKernelFunc');
    const original = engine.runKernelFunc;
    engine.runKernelFunc = (params) => {
      const out = original.call(engine, params);
      this.recordKernel(params.kernelName ?? engine.state?.activeScope?.name ?? 'unknown', out);
      return out;
    };
    const prevModule = setModuleCallHook((m, args, run) => this.onModuleCall(m, args, run));
    const prevFunctional = setFunctionalHook((op, inputs, attrs, run) => this.onFunctional(op, inputs, attrs, run));
    try {
      return forward();
    } finally {
      setModuleCallHook(prevModule);
      setFunctionalHook(prevFunctional);
      if (ownKernelFunc) engine.runKernelFunc = original;
      else delete (engine as Partial<PatchableEngine>).runKernelFunc;
    }
  }

  // ---- ConvertContext -----------------------------------------------------------------------

  nameOf(t: unknown, what: string): string {
    if (!isTensor(t)) this.refuse(`${what} is not a tensor (got ${describe(t)})`);
    const known = this.names.get(t);
    if (known !== undefined) return known;
    const path = this.paramPaths.get(t);
    if (path !== undefined) return this.constant(t, path);
    const record = this.producedBy.get(t);
    if (record !== undefined) {
      throw new OnnxExportError(
        `ONNX export: tfjs op '${record.kernel}' was called directly in the forward of ${record.where}; ` +
          `its result reaches ${this.where} (${what}), and a raw tfjs op has no ONNX mapping. ` +
          `Use a pq module or an F function there (they are traced), or register a converter.`,
      );
    }
    if (this.producedInsideConverter.has(t)) {
      throw new OnnxExportError(`ONNX export: a tensor computed inside a converted op reaches ${this.where} (${what}) without a graph name`);
    }
    // A tensor that no traced code computed (a tf.tensor literal, a cached tensor): a constant.
    return this.constant(t, `${this.local('const')}`);
  }

  isLiteral(t: unknown): boolean {
    return isTensor(t) && !this.names.has(t) && !this.paramPaths.has(t) && !this.producedBy.has(t) && !this.producedInsideConverter.has(t);
  }

  constantOf(t: unknown): { data: Float32Array; name: string } | null {
    if (!isTensor(t) || t.dtype !== 'float32') return null;
    const path = this.paramPaths.get(t);
    if (path === undefined && !this.isLiteral(t)) return null;
    return { data: Float32Array.from(t.dataSync()), name: path ?? this.local('const') };
  }

  bind(t: unknown, name: string): void {
    if (!isTensor(t)) this.refuse(`output is not a tensor (got ${describe(t)})`);
    this.names.set(t, name);
  }

  /** Names a model input. */
  bindInput(t: tf.Tensor, name: string): void {
    this.names.set(t, name);
    if (this.firstInput === null && t.rank > 0) this.firstInput = { name, batch: t.shape[0]! };
  }

  /**
   * Renames the node output `from` to `to` (graph outputs get their requested names), for
   * every consumer and every tensor holding it; false when no node produces `from`.
   */
  renameValue(from: string, to: string): boolean {
    if (!this.graph.renameOutput(from, to)) return false;
    for (const [t, name] of this.names) if (name === from) this.names.set(t, to);
    return true;
  }

  local(base: string): string {
    return this.scope === '' ? base : `${this.scope}/${base}`;
  }

  refuse(reason: string): never {
    throw new OnnxExportError(`ONNX export of ${this.where}: ${reason}`);
  }

  // ---- hooks --------------------------------------------------------------------------------

  private onModuleCall(module: Module, args: unknown[], run: () => unknown): unknown {
    if (this.converting > 0) return run();
    const path = this.modulePaths.get(module) ?? `<unnamed ${module.typeName}>`;
    const where = path === '' ? `the model (${module.typeName})` : `'${path}' (${module.typeName})`;
    const convert = findModuleConverter(module);
    if (convert === undefined) return this.within(path, where, run);
    const output = this.untraced(run);
    this.within(path, where, () => convert(this, module, args, output));
    return output;
  }

  private onFunctional(op: string, inputs: unknown[], attrs: Record<string, unknown>, run: () => unknown): unknown {
    if (this.converting > 0) return run();
    const convert = findFunctionalConverter(op);
    if (convert === undefined) {
      this.refuse(`functional op '${op}' has no ONNX mapping (mapped ops: ${functionalOps().join(', ')})`);
    }
    const output = this.untraced(run);
    const where = this.where;
    this.where = `F.${op} in ${where}`;
    try {
      convert(this, inputs, attrs, output);
    } finally {
      this.where = where;
    }
    return output;
  }

  private untraced(run: () => unknown): unknown {
    this.converting += 1;
    try {
      return run();
    } finally {
      this.converting -= 1;
    }
  }

  private within<T>(scope: string, where: string, f: () => T): T {
    const saved = [this.scope, this.where] as const;
    this.scope = scope;
    this.where = where;
    try {
      return f();
    } finally {
      [this.scope, this.where] = saved;
    }
  }

  private recordKernel(kernel: string, out: unknown): void {
    for (const t of [out].flat()) {
      if (!isTensor(t)) continue;
      if (this.converting > 0) this.producedInsideConverter.add(t);
      else this.producedBy.set(t, { kernel, where: this.where });
    }
  }

  private constant(t: tf.Tensor, base: string): string {
    let name: string;
    if (t.dtype === 'float32') name = this.graph.floatConst(base, t.shape, t.dataSync() as Float32Array);
    else if (t.dtype === 'int32') name = this.graph.initializer(base, DataType.INT32, t.shape, Int32Array.from(t.dataSync()));
    else this.refuse(`constant '${base}' has dtype ${t.dtype}; only float32 and int32 constants export`);
    this.names.set(t, name);
    return name;
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v === 'object' ? (v.constructor?.name ?? 'object') : `${typeof v} ${String(v)}`;
}
