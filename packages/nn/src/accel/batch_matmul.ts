// BatchMatMul with transposeA/transposeB on wasm: tfjs's wasm kernel is about 20x slower with a
// transposed operand (F.linear multiplies by weight^T; matmul gradients transpose too) than
// without. Transposing the operand first (one copy of it) and multiplying plainly is faster
// for every shape where the product costs more than the copy, i.e. always.
import type * as tf from '@tensorflow/tfjs-core';
import { callKernel, withScope } from './kernel_call.js';

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

export function batchMatMulPlain(
  backend: tf.KernelBackend,
  backendName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: { transposeA?: boolean; transposeB?: boolean },
  original: tf.KernelConfig | undefined,
): tf.TensorInfo {
  let a = inputs['a']!;
  let b = inputs['b']!;
  if (!attrs.transposeA && !attrs.transposeB) return callKernel('BatchMatMul', backendName, backend, inputs, attrs as never, original);
  return withScope(backend, backendName, (s) => {
    if (attrs.transposeA) a = s.run('Transpose', { x: a }, { perm: swapLastTwo(a.shape.length) });
    if (attrs.transposeB) b = s.run('Transpose', { x: b }, { perm: swapLastTwo(b.shape.length) });
    return callKernel('BatchMatMul', backendName, backend, { a, b }, { ...attrs, transposeA: false, transposeB: false } as never, original);
  });
}
