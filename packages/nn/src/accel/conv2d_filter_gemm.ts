// Conv2DBackpropFilter on wasm as plain matrix products: with x made channel-major [Ci, N, H, W]
// (one transpose), pq's `im2col_t` kernel lays out the patches transposed, P^T [kh·kw·Ci, n·OH·OW],
// and dW [kh·kw·Ci, Co] = P^T · dy [n·OH·OW, Co] is one XNNPACK matrix product whose result is
// already tfjs's filter layout [kh, kw, Ci, Co]. Used for inputs with few channels, where the
// convolution formulation (conv2d_backprop_filter.ts) convolves a batch of Ci tiny images, which
// XNNPACK does slowly. Large batches go in chunks of images (patch matrices of at most
// `chunkBytes`), their products summed.
import type * as tf from '@tensorflow/tfjs-core';
import { callKernel, withScope } from './kernel_call.js';
import { conv2dGeometry } from './conv_geometry.js';
import { readView } from './data_access.js';
import { transposeSimd } from './transpose_simd.js';
import { heapOffset, wasmKernels } from './wasm_kernels.js';
import type { BackpropFilterArgs } from './conv2d_backprop_filter.js';

const CHUNK_BYTES = 32 << 20;

type MakeOutput = { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo; typedArrayFromHeap(t: tf.TensorInfo): Float32Array };

export function conv2dBackpropFilterGemm(backend: tf.KernelBackend, a: BackpropFilterArgs, chunkBytes = CHUNK_BYTES): tf.TensorInfo | null {
  const kernels = a.x.dtype === 'float32' && a.dy.dtype === 'float32' ? wasmKernels(backend) : null;
  if (kernels === null) return null;
  const g = conv2dGeometry(a.x.shape, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
  const [n, h, w, ci] = a.x.shape as [number, number, number, number];
  const [, oh, ow, co] = a.dy.shape as [number, number, number, number];
  const rows = g.kh * g.kw * ci;
  const perImage = oh * ow;
  const chunk = Math.max(1, Math.min(n, Math.floor(chunkBytes / (4 * rows * perImage))));
  const b = backend as unknown as MakeOutput;
  return withScope(backend, 'wasm', (s) => {
    // (run already frees its result with the scope: adopting it too would free it twice, and
    // with one input channel the Transpose shares x's own data.)
    const simd = transposeSimd(backend, a.x, [3, 0, 1, 2]);
    const xc = simd !== null ? s.adopt(simd) : s.run('Transpose', { x: a.x }, { perm: [3, 0, 1, 2] });
    let sum: tf.TensorInfo | null = null;
    for (let n0 = 0; n0 < n; n0 += chunk) {
      const nc = Math.min(chunk, n - n0);
      const patches = s.adopt(b.makeOutput([1, rows, nc * perImage], 'float32'));
      const dyChunk = nc === n ? s.run('Reshape', { x: a.dy }, { shape: [1, n * perImage, co] }) : s.adopt(b.makeOutput([1, nc * perImage, co], 'float32'));
      if (nc !== n) b.typedArrayFromHeap(dyChunk).set(readView(backend, a.dy, 'Conv2DBackpropFilter').subarray(n0 * perImage * co, (n0 + nc) * perImage * co));
      kernels.im2col_t(
        heapOffset(backend, patches), heapOffset(backend, xc), ci, n, h, w, n0, nc, oh, ow,
        g.kh, g.kw, g.strideH, g.strideW, 1, 1, g.info.padInfo.top, g.info.padInfo.left,
      );
      const part = s.run('BatchMatMul', { a: patches, b: dyChunk }, { transposeA: false, transposeB: false });
      sum = sum === null ? part : s.run('Add', { a: sum, b: part });
    }
    return callKernel('Reshape', 'wasm', backend, { x: sum! }, { shape: [g.kh, g.kw, ci, co] });
  });
}
