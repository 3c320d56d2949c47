// Elementwise arithmetic and concatenation (torch.add / sub / mul / div / cat) as traced ops, so
// residual connections and skip concatenations export to ONNX Add / Sub / Mul / Div / Concat.
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';

type Operand = tf.Tensor | number;

function binary(op: 'add' | 'sub' | 'mul' | 'div', a: Operand, b: Operand, run: (a: tf.Tensor | number, b: tf.Tensor | number) => tf.Tensor): tf.Tensor {
  if (typeof a === 'number' && typeof b === 'number') {
    throw new Error(`F.${op}: at least one operand must be a tensor, got two numbers`);
  }
  return functional(op, [a, b], {}, () => run(a, b));
}

/** a + b with numpy broadcasting; either side may be a number. */
export function add(a: Operand, b: Operand): tf.Tensor {
  return binary('add', a, b, (x, y) => tf.add(x, y));
}

export function sub(a: Operand, b: Operand): tf.Tensor {
  return binary('sub', a, b, (x, y) => tf.sub(x, y));
}

export function mul(a: Operand, b: Operand): tf.Tensor {
  return binary('mul', a, b, (x, y) => tf.mul(x, y));
}

export function div(a: Operand, b: Operand): tf.Tensor {
  return binary('div', a, b, (x, y) => tf.div(x, y));
}

/** Concatenates tensors along `dim` (negative counts from the end), as torch.cat. */
export function cat(tensors: readonly tf.Tensor[], dim = 0): tf.Tensor {
  if (tensors.length === 0) throw new Error('F.cat: expected a non-empty list of tensors');
  const rank = tensors[0]!.rank;
  const d = dim < 0 ? dim + rank : dim;
  if (!Number.isInteger(dim) || d < 0 || d >= rank) {
    throw new Error(`F.cat: dim ${dim} is out of range for tensors of rank ${rank}`);
  }
  return functional('cat', [tensors], { dim: d }, () => tf.concat([...tensors], d));
}
