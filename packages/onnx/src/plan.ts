// From a parsed model to the import plan: every node checked (operator, attributes, constant
// inputs, static types) before anything is built; Constant nodes folded; each node either
// one of pq's layers or a functional op; a MatMul followed by the Add of a constant vector
// fused into one Linear; every layer and parameter given its module path.
import { NodeAttributes } from './attributes.js';
import { OnnxImportError } from './errors.js';
import { initializerTensor, type ParsedModel, type ParsedNode } from './parse.js';
import type { ConstTensor } from './tensors.js';
import { ElemType, SUPPORTED_ELEM_TYPES, elemTypeName, formatDims, type Dim, type ValueType } from './types.js';
import { OPS } from './ops/index.js';
import { padOnnx } from './ops/pad.js';
import { isStatePath, nodeScope, pathFromParam, PathRegistry } from './naming.js';
import { attr } from '@pq/nn';
import type { LayerPlan, OpContext, PreparedOp } from './ops/op.js';

/** How a node (or the pad before a layer) appears in errors and exported node names. */
export interface NodeLabel {
  name: string;
  opType: string;
  /** The node's output value names. */
  outputs: string[];
}

export type Step =
  | { kind: 'layer'; label: NodeLabel; plan: LayerPlan; path: string[]; input: string; output: string }
  | { kind: 'op'; label: NodeLabel; op: PreparedOp; inputs: string[]; outputs: string[] };

export interface GraphInput {
  name: string;
  elemType: number;
  shape: Dim[] | null;
}

export interface ImportPlan {
  opset: number;
  inputs: GraphInput[];
  outputs: Array<{ name: string; type: ValueType }>;
  steps: Step[];
  /** Values that are constants (not state), by name. */
  constants: Map<string, ConstTensor>;
  /** Float initializers used by functional ops that become trainable parameters, by value name. */
  parameters: Map<string, { path: string[]; value: ConstTensor }>;
}

export interface PlanOptions {
  inputShapes?: Record<string, ReadonlyArray<number | string | null>>;
  /** Record problems and go on (inspect) instead of throwing at the first. */
  collect?: string[];
  /** Decides whether a segment may name a child of the container at `depth` (0: the model itself). */
  reserved: (segment: string, depth: number) => boolean;
}

function label(n: ParsedNode): string {
  return n.name === '' ? `#${n.index}` : `'${n.name}'`;
}

function refuser(n: ParsedNode, opset: number): (why: string) => never {
  return (why) => {
    throw new OnnxImportError(`${n.opType} node ${label(n)} (opset ${opset}): ${why}`);
  };
}

/** The value of a Constant node. */
function constantValue(n: ParsedNode, attrs: NodeAttributes, refuse: (why: string) => never): ConstTensor {
  const name = n.outputs[0] ?? '';
  const t = attrs.tensor('value');
  let c: ConstTensor | undefined;
  if (t !== undefined) c = { ...t, name };
  const f = attrs.float('value_float');
  if (f !== undefined) c = { name, elemType: ElemType.FLOAT, dims: [], values: Float32Array.of(f) };
  const fs = attrs.floats('value_floats');
  if (fs !== undefined) c = { name, elemType: ElemType.FLOAT, dims: [fs.length], values: Float32Array.from(fs) };
  const i = attrs.int('value_int');
  if (i !== undefined) c = { name, elemType: ElemType.INT64, dims: [], values: Int32Array.of(i), int64: BigInt64Array.of(BigInt(i)) };
  const is = attrs.ints('value_ints');
  if (is !== undefined) c = { name, elemType: ElemType.INT64, dims: [is.length], values: Int32Array.from(is), int64: BigInt64Array.from(is.map(BigInt)) };
  const unread = attrs.unread();
  if (unread.length > 0) refuse(`attribute${unread.length > 1 ? 's' : ''} ${unread.join(', ')} not supported (string and sparse constants)`);
  if (c === undefined) refuse('it has no value');
  return c;
}

/** The declared input shape, with an inputShapes override checked against it. */
function inputType(name: string, declared: ValueType, override: ReadonlyArray<number | string | null> | undefined): ValueType {
  if (!SUPPORTED_ELEM_TYPES.has(declared.elemType)) {
    throw new OnnxImportError(`graph input '${name}' has element type ${elemTypeName(declared.elemType)}; pq takes FLOAT, INT64, INT32 and BOOL inputs`);
  }
  if (override === undefined) return declared;
  if (!Array.isArray(override) || override.some((d) => !(d === null || typeof d === 'string' || (Number.isInteger(d) && (d as number) >= 0)))) {
    throw new TypeError(`importOnnx: inputShapes['${name}'] must be a list of sizes, names or null`);
  }
  const s = declared.shape;
  if (s !== null) {
    if (s.length !== override.length) throw new OnnxImportError(`inputShapes['${name}'] ${formatDims([...override])} has rank ${override.length}; the model declares ${formatDims(s)}`);
    s.forEach((d, i) => {
      const o = override[i];
      if (typeof d === 'number' && typeof o === 'number' && d !== o) {
        throw new OnnxImportError(`inputShapes['${name}'] ${formatDims([...override])} differs from the model's ${formatDims(s)} in dimension ${i}`);
      }
    });
  }
  return { elemType: declared.elemType, shape: override.map((d, i) => (d === null ? (s?.[i] ?? null) : d)) };
}

export function planImport(model: ParsedModel, o: PlanOptions): ImportPlan {
  const { opset } = model;
  const types = new Map<string, ValueType>();
  const constants = new Map<string, ConstTensor>();
  const decoded = new Map<string, ConstTensor>();
  const consumers = new Map<string, number>();
  const graphOutputs = new Set(model.outputs.map((v) => v.name));
  const initializers = new Set(model.initializers.keys());
  for (const n of model.nodes) for (const i of n.inputs) if (i !== '') consumers.set(i, (consumers.get(i) ?? 0) + 1);

  const unknownShapes = Object.keys(o.inputShapes ?? {}).filter((k) => !model.inputs.some((i) => i.name === k));
  if (unknownShapes.length > 0) {
    throw new TypeError(`importOnnx: inputShapes names ${unknownShapes.map((k) => `'${k}'`).join(', ')}, which ${unknownShapes.length > 1 ? 'are not inputs' : 'is not an input'} (inputs: ${model.inputs.map((i) => i.name).join(', ')})`);
  }
  const inputs: GraphInput[] = model.inputs.map((v) => ({ name: v.name, ...inputType(v.name, v.type, o.inputShapes?.[v.name]) }));
  for (const i of inputs) types.set(i.name, { elemType: i.elemType, shape: i.shape });
  for (const name of model.initializers.keys()) {
    const c = initializerTensor(model, name, decoded);
    constants.set(name, c);
    types.set(name, { elemType: c.elemType, shape: [...c.dims] });
  }

  const steps: Step[] = [];
  const fused = new Set<number>();
  // torch.onnx shares equal initializers through Identity nodes: each name gets its own copy
  // (a parameter of its own, as in the original model), and the Identity disappears.
  for (const n of model.nodes) {
    const src = n.inputs[0] ?? '';
    if (n.opType !== 'Identity' || n.domain !== '' || !constants.has(src) || n.outputs[0] === undefined || types.has(n.outputs[0])) continue;
    const copy = { ...constants.get(src)!, name: n.outputs[0] };
    constants.set(copy.name, copy);
    types.set(copy.name, types.get(src)!);
    initializers.add(copy.name);
    consumers.set(src, consumers.get(src)! - 1);
    fused.add(n.index);
  }
  const nodeOf = new Map<string, ParsedNode[]>();
  for (const n of model.nodes) for (const i of n.inputs) if (i !== '') nodeOf.set(i, [...(nodeOf.get(i) ?? []), n]);
  const isInitializer = (v: string) => initializers.has(v);

  const fail = (n: ParsedNode, e: unknown): void => {
    if (o.collect === undefined || !(e instanceof OnnxImportError)) throw e;
    o.collect.push(e.message);
    for (const out of n.outputs) if (out !== '') types.set(out, { elemType: ElemType.FLOAT, shape: null });
  };

  for (const n of model.nodes) {
    if (fused.has(n.index)) continue;
    const refuse: (why: string) => never = refuser(n, opset);
    try {
      if (n.domain !== '') throw new OnnxImportError(`${n.opType} node ${label(n)}: operator domain '${n.domain}' is not supported (pq imports the default ONNX domain)`);
      for (const i of n.inputs) {
        if (i !== '' && !types.has(i)) refuse(`input '${i}' is not defined by an earlier node, a graph input or an initializer (is the graph sorted?)`);
      }
      for (const out of n.outputs) if (out !== '' && types.has(out)) refuse(`output '${out}' is defined twice`);
      const attrs = new NodeAttributes(n.attributes, refuse);
      if (n.opType === 'Constant') {
        const c = constantValue(n, attrs, refuse);
        constants.set(c.name, c);
        types.set(c.name, { elemType: c.elemType, shape: [...c.dims] });
        continue;
      }
      const def = OPS[n.opType];
      if (def === undefined) throw new OnnxImportError(`${n.opType} node ${label(n)} (opset ${opset}): operator ${n.opType} is not supported`);
      let given = n.inputs.length;
      while (given > 0 && n.inputs[given - 1] === '') given--;
      const has = (i: number) => i < n.inputs.length && n.inputs[i] !== '';
      const ctx: OpContext = {
        opType: n.opType,
        opset,
        attrs,
        inputCount: given,
        outputCount: n.outputs.length,
        has,
        type: (i) => {
          if (!has(i)) refuse(`input ${i} is required`);
          const t = types.get(n.inputs[i]!)!;
          if (!SUPPORTED_ELEM_TYPES.has(t.elemType)) refuse(`input ${i} ('${n.inputs[i]}') has element type ${elemTypeName(t.elemType)}, which pq does not compute with`);
          return t;
        },
        shape: (i) => (has(i) ? (types.get(n.inputs[i]!)!.shape ?? null) : null),
        constant: (i) => (has(i) ? (constants.get(n.inputs[i]!) ?? null) : null),
        constInts: (i, what) => {
          const c = has(i) ? constants.get(n.inputs[i]!) : undefined;
          if (c === undefined) refuse(`input ${i} (${what}) must be a constant (an initializer or a Constant node)`);
          return Array.from(c.values);
        },
        ownsInitializer: (i) => has(i) && isInitializer(n.inputs[i]!) && consumers.get(n.inputs[i]!) === 1 && !graphOutputs.has(n.inputs[i]!),
        outputUsed: (i) => i < n.outputs.length && n.outputs[i] !== '' && ((consumers.get(n.outputs[i]!) ?? 0) > 0 || graphOutputs.has(n.outputs[i]!)),
        refuse,
      };
      const op = def(ctx);
      const unread = attrs.unread();
      if (unread.length > 0) refuse(`attribute${unread.length > 1 ? 's' : ''} ${unread.map((a) => `'${a}'`).join(', ')} ${unread.length > 1 ? 'are' : 'is'} not supported`);
      op.outputs.forEach((t, i) => {
        const out = n.outputs[i];
        if (out !== undefined && out !== '') types.set(out, t);
      });
      const nodeLabel: NodeLabel = { name: n.name, opType: n.opType, outputs: n.outputs };
      if (op.layer !== undefined) {
        let plan = op.layer;
        let output = n.outputs[0]!;
        // MatMul + Add(constant [out] vector) -> one Linear with that bias.
        const next = nodeOf.get(output);
        if (plan.withBias !== undefined && next?.length === 1 && next[0]!.opType === 'Add' && next[0]!.domain === '' && !graphOutputs.has(output)) {
          const add = next[0]!;
          const other = add.inputs.find((v) => v !== output);
          const bias = other === undefined ? undefined : constants.get(other);
          const create = bias !== undefined && bias.elemType === ElemType.FLOAT && isInitializer(other!) && consumers.get(other!) === 1 ? plan.withBias(bias) : null;
          if (create) {
            plan = { ...plan, create, fusedBias: other! };
            fused.add(add.index);
            output = add.outputs[0]!;
            types.set(output, { elemType: ElemType.FLOAT, shape: op.outputs[0]!.shape });
          }
        }
        let input = n.inputs[plan.dataInput]!;
        if (plan.prePad !== undefined) {
          const padded = `${output}/pad`;
          steps.push({ kind: 'op', label: { name: `${n.name || n.opType}/Pad`, opType: 'Pad', outputs: [padded] }, op: prePadOp(plan.prePad), inputs: [input], outputs: [padded] });
          input = padded;
        }
        steps.push({ kind: 'layer', label: nodeLabel, plan, path: [], input, output });
      } else if (op.run !== undefined) {
        steps.push({ kind: 'op', label: nodeLabel, op, inputs: n.inputs, outputs: n.outputs });
      } else {
        refuse('its parameters are shared with other nodes or not constant; pq imports this op only as a layer with its own initializers');
      }
    } catch (e) {
      fail(n, e);
    }
  }
  for (const out of model.outputs) {
    if (!types.has(out.name)) {
      const e = new OnnxImportError(`graph output '${out.name}' is not computed by any node`);
      if (o.collect === undefined) throw e;
      o.collect.push(e.message);
    }
  }
  const outputs = model.outputs.map((v) => ({ name: v.name, type: types.get(v.name) ?? v.type }));
  const parameters = assignPaths(steps, constants, initializers, model, o.reserved);
  return { opset, inputs, outputs, steps, constants, parameters };
}

/** The explicit Pad before a layer that cannot pad so itself. */
function prePadOp({ pads, value }: { pads: number[]; value: number }): PreparedOp {
  const n = pads.length / 2;
  const full = [0, 0, ...pads.slice(0, n), 0, 0, ...pads.slice(n)];
  return {
    outputs: [],
    run: ([x]) => [padOnnx(x!, full, 'constant', value)],
    emit: (e) => e.node('Pad', [e.input(0), e.int64(full), e.float([value], [])], { mode: attr.string('constant') }),
  };
}

/** Module paths for the layers, and the float initializers of functional ops that become parameters. */
function assignPaths(
  steps: Step[],
  constants: Map<string, ConstTensor>,
  initializers: ReadonlySet<string>,
  model: ParsedModel,
  reserved: PlanOptions['reserved'],
): ImportPlan['parameters'] {
  const registry = new PathRegistry(reserved);
  const layers = steps.filter((s): s is Extract<Step, { kind: 'layer' }> => s.kind === 'layer');
  const nodeInputs = new Map(model.nodes.map((n) => [n.outputs[0] ?? '', n.inputs]));
  const pending: typeof layers = [];
  // First the layers whose initializers name them, so that they keep those names.
  for (const s of layers) {
    const ins = nodeInputs.get(s.label.outputs[0] ?? '') ?? [];
    const names: Array<[string, string]> = Object.entries(s.plan.params).map(([field, i]) => [field, ins[i] ?? '']);
    if (s.plan.fusedBias !== undefined) names.push(['bias', s.plan.fusedBias]);
    const path = names.map(([field, init]) => pathFromParam(init, field)).find((p) => p !== null && registry.free(p));
    if (path) s.path = registry.claim(path);
    else pending.push(s);
  }
  const parameters: ImportPlan['parameters'] = new Map();
  for (const s of steps) {
    if (s.kind !== 'op') continue;
    for (const v of s.inputs) {
      const c = constants.get(v);
      if (c === undefined || parameters.has(v) || c.elemType !== ElemType.FLOAT || !initializers.has(v) || !isStatePath(v)) continue;
      const path = v.split('.');
      parameters.set(v, { path: registry.free(path) ? registry.claim(path) : registry.claimUnique([v.replace(/\./g, '_')]), value: c });
    }
  }
  for (const s of pending) {
    const { scope, leaf } = nodeScope(s.label.name, s.label.opType);
    const candidates = scope.length > 0 ? [scope, [...scope, leaf]] : [[leaf]];
    const path = candidates.find((p) => registry.free(p));
    s.path = path ? registry.claim(path) : registry.claimUnique(candidates[candidates.length - 1]!);
  }
  for (const v of parameters.keys()) constants.delete(v);
  return parameters;
}
