// The graph under construction: nodes, initializers and unique value names. Converters add
// to it through the ConvertContext; proto.ts serializes it.
import { DataType, attributeProto, tensorProto, type Attr, type NodeProto, type TensorData, type TensorProto } from './proto.js';

export interface NodeOptions {
  /** Operator-set domain ('' = the default ONNX domain). */
  domain?: string;
  /** Base for the node's name; made unique. */
  name?: string;
}

export class OnnxGraph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly domains = new Set<string>();
  /** Element types (DataType) converters declared for values that are not float, by value name. */
  readonly valueTypes = new Map<string, number>();
  private readonly used = new Set<string>();
  private readonly counters = new Map<string, number>();

  /** `base`, or `base_1`, `base_2`... when taken; every value, node and initializer name is unique. */
  uniqueName(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_.\/:-]/g, '_') || 'v';
    let name = clean;
    while (this.used.has(name)) {
      const n = (this.counters.get(clean) ?? 0) + 1;
      this.counters.set(clean, n);
      name = `${clean}_${n}`;
    }
    this.used.add(name);
    return name;
  }

  /** Reserves an exact name (graph inputs/outputs); an error if it is taken. */
  reserve(name: string, what: string): string {
    if (this.used.has(name)) throw new Error(`ONNX export: ${what} name '${name}' is used twice`);
    this.used.add(name);
    return name;
  }

  /** Adds a constant; returns its (unique) name. */
  initializer(base: string, dataType: number, dims: readonly number[], data: TensorData): string {
    const name = this.uniqueName(base);
    this.initializers.push(tensorProto(name, dataType as 1, dims, data));
    return name;
  }

  floatConst(base: string, dims: readonly number[], data: ArrayLike<number>): string {
    return this.initializer(base, DataType.FLOAT, dims, Float32Array.from(data));
  }

  int64Const(base: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.initializer(base, DataType.INT64, dims, BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /**
   * Appends a node; `outputs` are base names (made unique). Returns the output names. An
   * empty string in `inputs` is an omitted optional input, as ONNX spells it.
   */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, Attr> = {}, o: NodeOptions = {}): string[] {
    const outNames = outputs.map((b) => this.uniqueName(b));
    const domain = o.domain ?? '';
    if (domain !== '') this.domains.add(domain);
    this.nodes.push({
      name: this.uniqueName(o.name ?? opType),
      opType,
      domain,
      input: [...inputs],
      output: outNames,
      attribute: Object.entries(attrs).map(([k, v]) => attributeProto(k, v)),
    });
    return outNames;
  }

  /** `node` for the common one-output case. */
  op(opType: string, inputs: readonly string[], outputBase: string, attrs: Record<string, Attr> = {}, o: NodeOptions = {}): string {
    return this.node(opType, inputs, [outputBase], attrs, o)[0]!;
  }

  /** Renames a node output (used to give the graph outputs their requested names). */
  renameOutput(from: string, to: string): boolean {
    const producer = this.nodes.find((n) => n.output?.includes(from));
    if (producer === undefined) return false;
    producer.output = producer.output!.map((o) => (o === from ? to : o));
    const type = this.valueTypes.get(from);
    if (type !== undefined) this.valueTypes.set(to, type);
    for (const n of this.nodes) n.input = n.input!.map((i) => (i === from ? to : i));
    return true;
  }
}
