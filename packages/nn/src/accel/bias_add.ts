// Add with a small broadcast operand on wasm (a conv or linear bias [C] against [N, H, W, C]):
// tfjs's wasm Add is ~10x slower broadcasting a short vector than adding two equal shapes, but
// fast again once the broadcast row is long. pq tiles the small operand to a row of at least
// MIN_ROW elements (a copy of a few thousand floats) and adds that row instead. Float addition
// is commutative, so a + b and b + a give the same bits.
import type * as tf from '@tensorflow/tfjs-core';
import { shapeSize } from '@pq/core';
import { callKernel, withScope } from './kernel_call.js';

const MIN_ROW = 1024;

/** The number of trailing dims of `big` the row must cover, or 0 when the fast path does not apply. */
function rowDims(big: readonly number[], small: readonly number[]): number {
  const s = small.slice(small.findIndex((d) => d !== 1) < 0 ? small.length : small.findIndex((d) => d !== 1));
  const n = big.length;
  if (s.length === 0 || s.length > n || shapeSize(big) < 2 * MIN_ROW) return 0;
  for (let i = 0; i < s.length; i++) if (s[i] !== big[n - s.length + i]) return 0;
  if (shapeSize(s) >= MIN_ROW) return 0; // already a long row
  let k = s.length;
  while (k < n && shapeSize(big.slice(n - k)) < MIN_ROW) k++;
  return k > s.length ? k : 0;
}

export function addWithLongRow(
  backend: tf.KernelBackend,
  backendName: string,
  inputs: tf.NamedTensorInfoMap,
  original: tf.KernelConfig | undefined,
): tf.TensorInfo {
  const a = inputs['a']!;
  const b = inputs['b']!;
  const [big, small] = shapeSize(a.shape) >= shapeSize(b.shape) ? [a, b] : [b, a];
  const k = big.dtype === 'float32' && small.dtype === 'float32' ? rowDims(big.shape, small.shape) : 0;
  if (k === 0) return callKernel('Add', backendName, backend, inputs, {}, original);
  const n = big.shape.length;
  const rowShape = big.shape.slice(n - k);
  const smallCore = small.shape.slice(small.shape.findIndex((d) => d !== 1));
  const smallRank = smallCore.length;
  return withScope(backend, backendName, (s) => {
    const lifted = s.run('Reshape', { x: small }, { shape: [...Array<number>(k - smallRank).fill(1), ...smallCore] });
    const reps = rowShape.map((d, i) => (i < k - smallRank ? d : 1));
    const row = s.run('Reshape', { x: s.run('Tile', { x: lifted }, { reps }) }, { shape: [shapeSize(rowShape)] });
    const flat = s.run('Reshape', { x: big }, { shape: [shapeSize(big.shape) / shapeSize(rowShape), shapeSize(rowShape)] });
    const sum = s.run('Add', { a: flat, b: row }, {}, false, original);
    return callKernel('Reshape', backendName, backend, { x: sum }, { shape: big.shape.slice() });
  });
}
