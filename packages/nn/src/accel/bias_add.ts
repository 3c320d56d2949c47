// Add with a small broadcast operand on wasm (a conv or linear bias [C] against [N, H, W, C]):
// tfjs's wasm Add is ~10x slower broadcasting a short vector than adding two equal shapes. When
// the small operand is a trailing part of the big one's shape (after leading 1s), pq adds it
// row by row with its SIMD kernel, in place in the wasm heap. Float addition is commutative, so
// a + b and b + a give the same bits, and every element is the one float32 sum the stock kernel
// computes.
import type * as tf from '@tensorflow/tfjs-core';
import { shapeSize } from '@pq/core';
import { callKernel } from './kernel_call.js';
import { heapOffset, wasmKernels } from './wasm_kernels.js';

/** Rows shorter than this are left to tfjs (a scalar or pair per row gains nothing). */
const MIN_LEN = 4;

/** The length of the row `small` repeats along `big`'s trailing dims, or 0 when it is not such a row. */
function rowLength(big: readonly number[], small: readonly number[]): number {
  const first = small.findIndex((d) => d !== 1);
  const core = first < 0 ? [] : small.slice(first);
  const n = big.length;
  if (core.length === 0 || core.length > n) return 0;
  for (let i = 0; i < core.length; i++) if (core[i] !== big[n - core.length + i]) return 0;
  const len = shapeSize(core);
  return len >= MIN_LEN && len < shapeSize(big) ? len : 0;
}

export function addBroadcastRow(
  backend: tf.KernelBackend,
  backendName: string,
  inputs: tf.NamedTensorInfoMap,
  original: tf.KernelConfig | undefined,
): tf.TensorInfo {
  const a = inputs['a']!;
  const b = inputs['b']!;
  const [big, small] = shapeSize(a.shape) >= shapeSize(b.shape) ? [a, b] : [b, a];
  const len = big.dtype === 'float32' && small.dtype === 'float32' && big.shape.length >= small.shape.length ? rowLength(big.shape, small.shape) : 0;
  const kernels = len > 0 ? wasmKernels(backend) : null;
  if (kernels === null) return callKernel('Add', backendName, backend, inputs, {}, original);
  const out = (backend as unknown as { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo }).makeOutput(big.shape.slice(), 'float32');
  // Offsets are read after the output is allocated (allocation may move nothing, but may grow the heap).
  kernels.add_row(heapOffset(backend, out), heapOffset(backend, big), heapOffset(backend, small), shapeSize(big.shape) / len, len);
  return out;
}
