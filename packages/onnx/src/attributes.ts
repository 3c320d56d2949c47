// A node's attributes, read through typed getters that remember what was read: after an op has
// taken the attributes it understands, any attribute left over is one pq does not support, and
// the node is refused naming it (rather than silently ignored).
import type { AttributeProto } from '@pq/nn';
import { decodeTensor, longToNumber, type ConstTensor, type LongLike } from './tensors.js';

/** AttributeProto.AttributeType codes (onnx.proto). */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11 } as const;
const TYPE_NAMES = new Map<number, string>(Object.entries(AttrType).map(([k, v]) => [v, k]));

/** The attribute's type, from `type` or (files written before it was required) from the field that is set. */
function typeOf(a: AttributeProto): number {
  if (a.type) return a.type;
  const has = (k: string) => Object.prototype.hasOwnProperty.call(a, k);
  if (has('f')) return AttrType.FLOAT;
  if (has('i')) return AttrType.INT;
  if (has('s')) return AttrType.STRING;
  if (has('t')) return AttrType.TENSOR;
  if (has('g')) return AttrType.GRAPH;
  if ((a.floats?.length ?? 0) > 0) return AttrType.FLOATS;
  if ((a.ints?.length ?? 0) > 0) return AttrType.INTS;
  if ((a.strings?.length ?? 0) > 0) return AttrType.STRINGS;
  return 0;
}

export class NodeAttributes {
  private readonly byName = new Map<string, AttributeProto>();
  private readonly read = new Set<string>();

  constructor(
    protos: readonly AttributeProto[],
    /** Throws an OnnxImportError naming the node. */
    private readonly refuse: (why: string) => never,
  ) {
    for (const a of protos) {
      const name = a.name ?? '';
      if (this.byName.has(name)) refuse(`attribute '${name}' is given twice`);
      if ((a.refAttrName ?? '') !== '') refuse(`attribute '${name}' refers to a function attribute ('${a.refAttrName}'), which pq does not support`);
      this.byName.set(name, a);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Names of the attributes no getter asked for. */
  unread(): string[] {
    return [...this.byName.keys()].filter((k) => !this.read.has(k));
  }

  int(name: string, dflt: number): number;
  int(name: string): number | undefined;
  int(name: string, dflt?: number): number | undefined {
    const a = this.take(name, AttrType.INT);
    return a === undefined ? dflt : longToNumber(a.i as LongLike, `attribute '${name}'`);
  }

  float(name: string, dflt: number): number;
  float(name: string): number | undefined;
  float(name: string, dflt?: number): number | undefined {
    const a = this.take(name, AttrType.FLOAT);
    return a === undefined ? dflt : (a.f ?? 0);
  }

  string(name: string, dflt: string): string;
  string(name: string): string | undefined;
  string(name: string, dflt?: string): string | undefined {
    const a = this.take(name, AttrType.STRING);
    return a === undefined ? dflt : new TextDecoder().decode(a.s ?? new Uint8Array());
  }

  ints(name: string, dflt: readonly number[]): number[];
  ints(name: string): number[] | undefined;
  ints(name: string, dflt?: readonly number[]): number[] | undefined {
    const a = this.take(name, AttrType.INTS);
    if (a === undefined) return dflt === undefined ? undefined : [...dflt];
    return (a.ints ?? []).map((v) => longToNumber(v as LongLike, `attribute '${name}'`));
  }

  floats(name: string): number[] | undefined {
    const a = this.take(name, AttrType.FLOATS);
    return a === undefined ? undefined : [...(a.floats ?? [])];
  }

  tensor(name: string): ConstTensor | undefined {
    const a = this.take(name, AttrType.TENSOR);
    return a === undefined || a.t === null || a.t === undefined ? undefined : decodeTensor(a.t, `attribute '${name}'`);
  }

  /** An attribute whose value pq only accepts as `allowed` (a default it does not change). */
  expect(name: string, allowed: number | string, why = ''): void {
    if (!this.byName.has(name)) return;
    const v = typeof allowed === 'number' ? this.int(name) : this.string(name);
    if (v !== allowed) this.refuse(`attribute ${name}=${String(v)} is not supported${why ? ` (${why})` : ''}; only ${String(allowed)} is`);
  }

  /** Marks every remaining attribute as read without checking (an op that ignores them). */
  ignore(...names: string[]): void {
    for (const n of names) this.read.add(n);
  }

  private take(name: string, type: number): AttributeProto | undefined {
    const a = this.byName.get(name);
    if (a === undefined) return undefined;
    this.read.add(name);
    const actual = typeOf(a);
    if (actual !== type) this.refuse(`attribute '${name}' is ${TYPE_NAMES.get(actual) ?? `type ${actual}`}, ${TYPE_NAMES.get(type)} expected`);
    return a;
  }
}
