// Shape ops: Flatten, Reshape, Transpose, Concat, Split, Slice, Gather, Unsqueeze, Squeeze,
// Shape, ConstantOfShape, Expand, Range, Cast. Shape values are int32 tensors computed at run
// time, so a graph whose shapes follow its (symbolic) batch keeps doing so, and the export
// writes the same shape arithmetic back.
import * as tf from '@tensorflow/tfjs-core';
import { attr, tensorProto, DataType } from '@pq/nn';
import { ElemType, elemTypeName, tfDtypeOf, isIntType, type Dim, type ValueType } from '../types.js';
import { broadcastShapes, knownProduct, normAxis, unknownDims } from '../shapes.js';
import { gatherAxis, gatherValues } from './gather.js';
import { emitSame, intsOf, withoutGradient, type Emitter, type OpContext, type OpDef } from './op.js';

function intInput(c: OpContext, i: number, what: string): void {
  if (!isIntType(c.type(i).elemType)) c.refuse(`input ${i} (${what}) must be INT64 or INT32, got ${elemTypeName(c.type(i).elemType)}`);
}

/** Static length of a 1-D shape-like input, when known. */
function lengthOf(c: OpContext, i: number): number | null {
  const k = c.constant(i);
  if (k !== null) return k.values.length;
  const s = c.shape(i);
  return s !== null && s.length === 1 && typeof s[0] === 'number' ? s[0] : null;
}

const flatten: OpDef = (c: OpContext) => {
  const rank = c.shape(0)?.length ?? null;
  const axis = c.attrs.int('axis', 1);
  let shape: Dim[] | null = null;
  if (rank !== null) {
    const a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a > rank) c.refuse(`axis ${axis} is out of range for rank ${rank}`);
    const s = c.shape(0)!;
    shape = [a === 0 ? 1 : knownProduct(s.slice(0, a)) ?? (a === 1 ? s[0]! : null), knownProduct(s.slice(a))];
  }
  return {
    outputs: [{ elemType: c.type(0).elemType, shape }],
    run: ([x]) => {
      const a = axis < 0 ? axis + x!.rank : axis;
      const before = x!.shape.slice(0, a).reduce((p, d) => p * d, 1);
      return [tf.reshape(x!, [before, before === 0 ? 0 : x!.size / before])];
    },
    emit: emitSame('Flatten', { axis: attr.int(axis) }),
  };
};

/** Reshape's target for `input` (0 copies the input's dimension unless allowzero, one -1 is inferred). */
export function reshapeTarget(inShape: readonly number[], requested: readonly number[], allowZero: boolean): number[] {
  const dims = requested.map((d, i) => (d === 0 && !allowZero ? inShape[i]! : d));
  if (dims.some((d) => d === undefined || d < -1) || dims.filter((d) => d === -1).length > 1) {
    throw new Error(`Reshape: invalid target shape [${requested.join(', ')}] for input [${inShape.join(', ')}]`);
  }
  const size = inShape.reduce((p, d) => p * d, 1);
  const known = dims.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const out = dims.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (out.reduce((p, d) => p * d, 1) !== size || !out.every(Number.isInteger)) {
    throw new Error(`Reshape: cannot reshape [${inShape.join(', ')}] (${size} elements) to [${requested.join(', ')}]`);
  }
  return out;
}

const reshape: OpDef = (c: OpContext) => {
  intInput(c, 1, 'shape');
  const allowZero = c.opset >= 14 && c.attrs.int('allowzero', 0) === 1;
  const k = c.constant(1);
  let shape: Dim[] | null = null;
  const inShape = c.shape(0);
  if (k !== null) {
    const req = Array.from(k.values);
    shape = req.map((d, i) => (d === 0 && !allowZero ? (inShape?.[i] ?? null) : d === -1 ? null : d));
    if (inShape !== null && shape.includes(null) && req.filter((d) => d === -1).length === 1) {
      const total = knownProduct(inShape);
      const rest = knownProduct(shape.filter((d) => d !== null));
      if (total !== null && rest !== null && rest > 0) shape = shape.map((d) => (d === null ? total / rest : d));
    }
  } else {
    const n = lengthOf(c, 1);
    if (n !== null) shape = unknownDims(n);
  }
  return {
    outputs: [{ elemType: c.type(0).elemType, shape }],
    run: ([x, s]) => [tf.reshape(x!, reshapeTarget(x!.shape, intsOf(s!), allowZero))],
    emit: (e) => {
      if (allowZero && e.opset < 14) throw new Error('Reshape with allowzero=1 exports at opset 14 or later');
      e.node('Reshape', [e.input(0), e.input(1)], allowZero ? { allowzero: attr.int(1) } : {});
    },
  };
};

const transpose: OpDef = (c: OpContext) => {
  const s = c.shape(0);
  const given = c.attrs.ints('perm');
  if (given !== undefined && s !== null) {
    if (given.length !== s.length || [...given].sort((a, b) => a - b).some((p, i) => p !== i)) {
      c.refuse(`perm [${given.join(', ')}] is not a permutation of the ${s.length} axes`);
    }
  }
  const permFor = (rank: number) => given ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  return {
    outputs: [{ elemType: c.type(0).elemType, shape: s === null ? null : permFor(s.length).map((p) => s[p]!) }],
    run: ([x]) => [tf.transpose(x!, permFor(x!.rank))],
    emit: (e) => e.node('Transpose', [e.input(0)], { perm: attr.ints(permFor(e.inputTensor(0)!.rank)) }),
  };
};

const concat: OpDef = (c: OpContext) => {
  const axis = c.attrs.int('axis');
  if (axis === undefined) c.refuse("attribute 'axis' is required");
  const indices = Array.from({ length: c.inputCount }, (_, i) => i);
  const types = indices.map((i) => c.type(i).elemType);
  if (types.some((t) => t !== types[0])) c.refuse(`inputs have different element types (${types.map(elemTypeName).join(', ')})`);
  const shapes = indices.map((i) => c.shape(i));
  let shape: Dim[] | null = shapes.find((s) => s !== null) ?? null;
  if (shape !== null) {
    const a = normAxis(axis, shape.length, (why) => c.refuse(why));
    const all = shapes.every((s) => s !== null);
    const sizes = all ? shapes.map((s) => s![a]!) : [];
    shape = shape.map((d, i) => (i === a ? (all && sizes.every((x) => typeof x === 'number') ? (sizes as number[]).reduce((p, x) => p + x, 0) : null) : d));
  }
  return {
    outputs: [{ elemType: types[0]!, shape }],
    run: (xs) => {
      const list = xs as tf.Tensor[];
      const a = axis < 0 ? axis + list[0]!.rank : axis;
      // tfjs refuses empty pieces in some layouts; they add nothing.
      const parts = list.filter((t) => t.size > 0);
      return [parts.length === 0 ? tf.clone(list[0]!) : parts.length === 1 ? parts[0]! : tf.concat(parts, a)];
    },
    emit: emitSame('Concat', { axis: attr.int(axis) }),
  };
};

const split: OpDef = (c: OpContext) => {
  const axis = c.attrs.int('axis', 0);
  const fromAttr = c.opset < 13 ? c.attrs.ints('split') : undefined;
  const numOutputs = c.opset >= 18 ? c.attrs.int('num_outputs') : undefined;
  const count = c.outputCount;
  if (numOutputs !== undefined && numOutputs !== count) c.refuse(`num_outputs ${numOutputs} differs from its ${count} outputs`);
  if (c.has(1)) intInput(c, 1, 'split');
  const s = c.shape(0);
  const a = s === null ? null : normAxis(axis, s.length, (why) => c.refuse(why));
  const sizesFor = (x: tf.Tensor, given: number[] | null): number[] => {
    const n = x.shape[axis < 0 ? axis + x.rank : axis]!;
    if (given !== null) {
      if (given.length !== count || given.reduce((p, d) => p + d, 0) !== n) {
        throw new Error(`Split: sizes [${given.join(', ')}] do not split a dimension of ${n} into ${count} parts`);
      }
      return given;
    }
    const chunk = Math.ceil(n / count);
    if (numOutputs === undefined && n % count !== 0) throw new Error(`Split: ${n} does not split evenly into ${count} parts`);
    return Array.from({ length: count }, (_, i) => Math.max(0, Math.min(chunk, n - i * chunk)));
  };
  const out: ValueType = { elemType: c.type(0).elemType, shape: s === null ? null : s.map((d, i) => (i === a ? null : d)) };
  return {
    outputs: Array.from({ length: count }, () => ({ ...out, shape: out.shape && [...out.shape] })),
    run: ([x, sp]) => {
      const sizes = sizesFor(x!, fromAttr ?? (sp ? intsOf(sp) : null));
      return count === 1 ? [x!] : tf.split(x!, sizes, axis < 0 ? axis + x!.rank : axis);
    },
    emit: (e) => {
      const a = axis < 0 ? axis + e.inputTensor(0)!.rank : axis;
      const sizes = Array.from({ length: count }, (_, i) => e.outputTensor(i).shape[a]!);
      e.node('Split', [e.input(0), e.int64(sizes)], { axis: attr.int(axis) });
    },
  };
};

/** ONNX Slice's clamped [start, end) and count along one axis of length `dim`. */
function sliceRange(start: number, end: number, step: number, dim: number): { start: number; count: number } {
  if (step === 0) throw new Error('Slice: a step of 0 is invalid');
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
  } else {
    s = Math.min(Math.max(s, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
  }
  return { start: s, count: Math.max(0, Math.ceil((e - s) / step)) };
}

const slice: OpDef = (c: OpContext) => {
  for (const [i, what] of [[1, 'starts'], [2, 'ends'], [3, 'axes'], [4, 'steps']] as const) if (c.has(i)) intInput(c, i, what);
  const s = c.shape(0);
  let shape: Dim[] | null = s === null ? null : [...s];
  const axesK = c.has(3) ? c.constant(3) : null;
  if (shape !== null && (!c.has(3) || axesK !== null)) {
    const axes = axesK === null ? null : Array.from(axesK.values).map((a) => normAxis(a, s!.length, (why) => c.refuse(why)));
    const [st, en, sp] = [c.constant(1), c.constant(2), c.has(4) ? c.constant(4) : null];
    (axes ?? shape.map((_, i) => i)).forEach((a, j) => {
      const dim = s![a];
      shape![a] = st !== null && en !== null && (sp !== null || !c.has(4)) && typeof dim === 'number'
        ? sliceRange(st.values[j]!, en.values[j]!, sp === null ? 1 : sp.values[j]!, dim).count
        : null;
    });
  } else if (shape !== null) {
    shape = unknownDims(shape.length);
  }
  return {
    outputs: [{ elemType: c.type(0).elemType, shape }],
    run: ([x, st, en, ax, sp]) => {
      const rank = x!.rank;
      const starts = intsOf(st!);
      const ends = intsOf(en!);
      const axes = ax ? intsOf(ax).map((a) => (a < 0 ? a + rank : a)) : starts.map((_, i) => i);
      const steps = sp ? intsOf(sp) : starts.map(() => 1);
      const begin = x!.shape.map(() => 0);
      const size = [...x!.shape];
      const strided: Array<{ axis: number; start: number; count: number; step: number }> = [];
      axes.forEach((a, j) => {
        if (a < 0 || a >= rank) throw new Error(`Slice: axis ${axes[j]} is out of range for rank ${rank}`);
        const r = sliceRange(starts[j]!, ends[j]!, steps[j]!, x!.shape[a]!);
        if (steps[j] === 1) {
          begin[a] = r.start;
          size[a] = r.count;
        } else strided.push({ axis: a, ...r, step: steps[j]! });
      });
      return [tf.tidy(() => {
        let y = tf.slice(x!, begin, size);
        for (const { axis, start, count, step } of strided) {
          y = gatherValues(y, Array.from({ length: count }, (_, i) => start + i * step), axis);
        }
        return y;
      })];
    },
    emit: emitSame('Slice'),
  };
};

const gather: OpDef = (c: OpContext) => {
  intInput(c, 1, 'indices');
  const axis = c.attrs.int('axis', 0);
  const s = c.shape(0);
  const is = c.shape(1);
  let shape: Dim[] | null = null;
  if (s !== null) {
    const a = normAxis(axis, s.length, (why) => c.refuse(why));
    if (is !== null) shape = [...s.slice(0, a), ...is, ...s.slice(a + 1)];
  }
  return {
    outputs: [{ elemType: c.type(0).elemType, shape }],
    run: ([x, idx]) => {
      const a = axis < 0 ? axis + x!.rank : axis;
      const n = x!.shape[a]!;
      const values = idx!.dataSync();
      let fix = false;
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v < -n || v >= n) throw new RangeError(`Gather: index ${v} is out of range for a dimension of ${n}`);
        if (v < 0) fix = true;
      }
      return [tf.tidy(() => gatherAxis(x!, fix ? tf.where(tf.less(idx!, 0), tf.add(idx!, tf.scalar(n, idx!.dtype)), idx!) : idx!, a))];
    },
    emit: emitSame('Gather', { axis: attr.int(axis) }),
  };
};

/** The axes of Unsqueeze / Squeeze: an attribute before opset 13, a constant input from 13. */
function axesOf(c: OpContext, required: boolean): number[] | null {
  if (c.opset < 13) {
    const a = c.attrs.ints('axes');
    if (a === undefined && required) c.refuse("attribute 'axes' is required");
    return a ?? null;
  }
  if (!c.has(1)) {
    if (required) c.refuse('input 1 (axes) is required');
    return null;
  }
  intInput(c, 1, 'axes');
  return c.constInts(1, 'axes');
}

function emitAxesOp(opType: string, axes: number[] | null): (e: Emitter) => void {
  return (e) => e.node(opType, axes === null ? [e.input(0)] : [e.input(0), e.int64(axes)]);
}

const unsqueeze: OpDef = (c: OpContext) => {
  const axes = axesOf(c, true)!;
  const s = c.shape(0);
  const place = (shape: readonly (Dim | number)[]): Array<Dim | number> => {
    const rank = shape.length + axes.length;
    const norm = axes.map((a) => normAxis(a, rank, (why) => c.refuse(why)));
    if (new Set(norm).size !== norm.length) c.refuse(`axes [${axes.join(', ')}] repeat an axis`);
    const out: Array<Dim | number> = [];
    let j = 0;
    for (let i = 0; i < rank; i++) out.push(norm.includes(i) ? 1 : shape[j++]!);
    return out;
  };
  return {
    outputs: [{ elemType: c.type(0).elemType, shape: s === null ? null : place(s) }],
    run: ([x]) => [tf.reshape(x!, place(x!.shape) as number[])],
    emit: emitAxesOp('Unsqueeze', axes),
  };
};

const squeeze: OpDef = (c: OpContext) => {
  const axes = axesOf(c, false);
  const s = c.shape(0);
  const kept = (shape: readonly Dim[]): Dim[] | null => {
    if (axes === null) return shape.some((d) => typeof d !== 'number') ? null : shape.filter((d) => d !== 1);
    const norm = axes.map((a) => normAxis(a, shape.length, (why) => c.refuse(why)));
    for (const a of norm) if (typeof shape[a] === 'number' && shape[a] !== 1) c.refuse(`cannot squeeze axis ${a} of size ${shape[a]}`);
    return shape.filter((_, i) => !norm.includes(i));
  };
  return {
    outputs: [{ elemType: c.type(0).elemType, shape: s === null ? null : kept(s) }],
    run: ([x]) => {
      const rank = x!.rank;
      const norm = axes === null ? x!.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : axes.map((a) => (a < 0 ? a + rank : a));
      for (const a of norm) if (x!.shape[a] !== 1) throw new Error(`Squeeze: axis ${a} of shape [${x!.shape.join(', ')}] is not 1`);
      return [tf.reshape(x!, x!.shape.filter((_, i) => !norm.includes(i)))];
    },
    emit: emitAxesOp('Squeeze', axes),
  };
};

const shapeOp: OpDef = (c: OpContext) => {
  const start = c.opset >= 15 ? c.attrs.int('start', 0) : 0;
  const end = c.opset >= 15 ? c.attrs.int('end') : undefined;
  const s = c.shape(0);
  const range = (rank: number): [number, number] => {
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
    return [clamp(start), end === undefined ? rank : clamp(end)];
  };
  let shape: Dim[] = [null];
  if (s !== null) {
    const [a, b] = range(s.length);
    shape = [Math.max(0, b - a)];
  }
  return {
    outputs: [{ elemType: ElemType.INT64, shape }],
    run: ([x]) => {
      const [a, b] = range(x!.rank);
      return [tf.tensor1d(x!.shape.slice(a, b), 'int32')];
    },
    emit: (e) => {
      const rank = e.inputTensor(0)!.rank;
      const [a, b] = range(rank);
      if (a === 0 && b === rank) {
        e.node('Shape', [e.input(0)]);
      } else if (e.opset >= 15) {
        e.node('Shape', [e.input(0)], { start: attr.int(a), end: attr.int(b) });
      } else {
        const [full] = e.temp('Shape', [e.input(0)]);
        e.node('Slice', [full!, e.int64([a]), e.int64([b])]);
      }
    },
  };
};

const constantOfShape: OpDef = (c: OpContext) => {
  intInput(c, 0, 'shape');
  const value = c.attrs.tensor('value');
  if (value !== undefined && value.values.length !== 1) c.refuse(`attribute 'value' must hold one element, got shape [${value.dims.join(', ')}]`);
  const elemType = value?.elemType ?? ElemType.FLOAT;
  const v = value === undefined ? 0 : value.values[0]!;
  const k = c.constant(0);
  const n = lengthOf(c, 0);
  return {
    outputs: [{ elemType, shape: k !== null ? Array.from(k.values) : n === null ? null : unknownDims(n) }],
    run: ([s]) => [tf.fill(intsOf(s!), elemType === ElemType.BOOL ? Number(v !== 0) : v, tfDtypeOf(elemType))],
    emit: (e) => {
      const data = elemType === ElemType.FLOAT ? Float32Array.of(v) : elemType === ElemType.INT64 ? BigInt64Array.of(BigInt(v)) : elemType === ElemType.BOOL ? Uint8Array.of(v) : Int32Array.of(v);
      e.node('ConstantOfShape', [e.input(0)], { value: attr.tensor(tensorProto('value', elemType as typeof DataType.FLOAT, [1], data)) });
    },
  };
};

const expand: OpDef = (c: OpContext) => {
  intInput(c, 1, 'shape');
  const k = c.constant(1);
  const s = c.shape(0);
  let shape: Dim[] | null = null;
  if (k !== null && s !== null) {
    const target = Array.from(k.values);
    const rank = Math.max(target.length, s.length);
    shape = Array.from({ length: rank }, (_, i) => {
      const a = i < rank - s.length ? 1 : s[i - (rank - s.length)]!;
      const b = i < rank - target.length ? 1 : target[i - (rank - target.length)]!;
      return b === 1 ? a : b;
    });
  }
  return {
    outputs: [{ elemType: c.type(0).elemType, shape }],
    run: ([x, sh]) => {
      const target = broadcastShapes(x!.shape, intsOf(sh!), 'Expand');
      return [target.length === x!.rank && target.every((d, i) => d === x!.shape[i]) ? x! : tf.broadcastTo(x!, target)];
    },
    emit: emitSame('Expand'),
  };
};

const range: OpDef = (c: OpContext) => {
  const elemType = c.type(0).elemType;
  if (elemType !== ElemType.FLOAT && !isIntType(elemType)) c.refuse(`element type ${elemTypeName(elemType)} is not supported`);
  return {
    outputs: [{ elemType, shape: [null] }],
    run: ([start, limit, delta]) => {
      const [a, b, d] = [start!, limit!, delta!].map((t) => t.dataSync()[0]!) as [number, number, number];
      if (d === 0) throw new Error('Range: delta must not be 0');
      return [tf.range(a, b, d, tfDtypeOf(elemType) as 'float32' | 'int32')];
    },
    emit: emitSame('Range'),
  };
};

const CAST_TARGETS = new Set<number>([ElemType.FLOAT, ElemType.INT32, ElemType.INT64, ElemType.BOOL]);

const cast: OpDef = (c: OpContext) => {
  const to = c.attrs.int('to');
  if (to === undefined) c.refuse("attribute 'to' is required");
  if (!CAST_TARGETS.has(to)) c.refuse(`casting to ${elemTypeName(to)} is not supported; pq computes in FLOAT, INT64 / INT32 and BOOL`);
  c.attrs.ignore('saturate'); // only affects float8 targets
  const dtype = tfDtypeOf(to);
  return {
    outputs: [{ elemType: to, shape: c.shape(0) }],
    run: ([x]) => {
      if (x!.dtype === dtype) return [x!];
      const cast = () => (dtype === 'bool' ? tf.notEqual(x!, tf.scalar(0, x!.dtype)) : tf.cast(x!, dtype));
      // To integers or booleans nothing differentiable comes out; to floats the gradient flows back as is.
      return [dtype === 'float32' ? cast() : withoutGradient([x!], cast)];
    },
    emit: emitSame('Cast', { to: attr.int(to) }),
  };
};

export const shapeOps: Record<string, OpDef> = {
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Shape: shapeOp,
  ConstantOfShape: constantOfShape,
  Expand: expand,
  Range: range,
  Cast: cast,
};
