// BatchMatMul on pq's native kernels: transposed operands are read in place (no transpose copy,
// unlike batch_matmul.ts), inputs are read where the wasm backend keeps them and the product is
// written into a tensor it allocated. Batches of equal size, or one operand shared by every batch
// (tfjs-wasm's own rule: a batch of 1 broadcasts); anything else returns null for the caller's
// existing kernel.
import { broadcast_util, type TensorInfo, type KernelBackend } from '@tensorflow/tfjs-core';
import { shapeSize } from '@pq/core';
import { fillOnHeap } from './data_access.js';
import { nativeKernels } from './native_provider.js';

export function batchMatMulNative(
  backend: KernelBackend, a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean,
): TensorInfo | null {
  const k = nativeKernels();
  if (k === null || a.shape.length < 2 || b.shape.length < 2) return null;
  const [ra, rb] = [a.shape.length, b.shape.length];
  const m = a.shape[transA ? ra - 1 : ra - 2]!;
  const inner = a.shape[transA ? ra - 2 : ra - 1]!;
  const n = b.shape[transB ? rb - 2 : rb - 1]!;
  if (b.shape[transB ? rb - 1 : rb - 2] !== inner) return null; // the stock kernel's error message
  const [batchA, batchB] = [shapeSize(a.shape.slice(0, -2)), shapeSize(b.shape.slice(0, -2))];
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  if (m === 0 || n === 0 || inner === 0 || batchA === 0 || batchB === 0) return null;
  const batch = Math.max(batchA, batchB);
  const outShape = [...broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
  return fillOnHeap(backend, outShape, [a, b], (c, [av, bv]) => {
    if (batchA === batchB) return k.matmul(av!, bv!, c, batch, m, n, inner, transA, transB);
    // One operand shared by every batch. A plain shared right operand folds the batches into rows.
    if (batchB === 1 && !transA) return k.matmul(av!, bv!, c, 1, batch * m, n, inner, false, transB);
    const [sa, sb, sc] = [batchA === 1 ? 0 : m * inner, batchB === 1 ? 0 : inner * n, m * n];
    for (let i = 0; i < batch; i++) {
      k.matmul(av!.subarray(i * sa, i * sa + m * inner), bv!.subarray(i * sb, i * sb + inner * n), c.subarray(i * sc, (i + 1) * sc), 1, m, n, inner, transA, transB);
    }
  });
}
