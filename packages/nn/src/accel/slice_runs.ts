// Slice on wasm as copies of contiguous runs: tfjs-wasm's Slice moves one element at a time for
// rank > 2 (a 3x3x512x512 filter's centre tap, which conv2d's tap trimming cuts, took ~0.1-0.4 s).
// A slice is a set of runs, each spanning the innermost partly-sliced axis and every full axis
// after it; pq copies each run with one typed-array copy inside the wasm heap. Runs shorter than
// MIN_RUN elements (a conv kernel's taps cut in conv2d before its layout change) go through
// pq's strided-copy kernel instead, off wasm to tfjs. Values are moved, not computed.
import type * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import { shapeSize } from '@pq/core';
import { callKernel } from './kernel_call.js';
import { copyStrided } from './strided_copy.js';
import { heapOffset, wasmKernels } from './wasm_kernels.js';

const MIN_RUN = 16;

type WasmLike = { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo; typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array };

export function sliceRuns(
  backend: tf.KernelBackend,
  backendName: string,
  x: tf.TensorInfo,
  attrs: { begin: number | number[]; size: number | number[] },
  original: tf.KernelConfig | undefined,
): tf.TensorInfo {
  const [begin, size] = backend_util.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
  const rank = x.shape.length;
  // The innermost axis that is not taken whole: runs span it and the axes after it.
  let k = rank - 1;
  while (k > 0 && begin[k] === 0 && size[k] === x.shape[k]) k--;
  const inner = shapeSize(x.shape.slice(k + 1));
  const run = size[k]! * inner;
  const b = backend as unknown as Partial<WasmLike>;
  if (rank === 0 || (x.dtype !== 'float32' && x.dtype !== 'int32') || b.typedArrayFromHeap === undefined || shapeSize(size) === 0) {
    return callKernel('Slice', backendName, backend, { x }, attrs as never, original);
  }
  const strides = x.shape.map((_, i) => shapeSize(x.shape.slice(i + 1)));
  if (run < MIN_RUN) return shortRuns(backend, x, begin, size, strides) ?? callKernel('Slice', backendName, backend, { x }, attrs as never, original);
  const out = b.makeOutput!(size.slice(), x.dtype);
  const dst = b.typedArrayFromHeap(out);
  const src = b.typedArrayFromHeap(x); // after the allocation: a view dies when the heap grows
  const outer = size.slice(0, k);
  const runs = shapeSize(outer);
  const idx = outer.map(() => 0);
  for (let r = 0; r < runs; r++) {
    let from = begin[k]! * inner;
    for (let i = 0; i < k; i++) from += (begin[i]! + idx[i]!) * strides[i]!;
    dst.set(src.subarray(from, from + run), r * run);
    for (let i = k - 1; i >= 0; i--) {
      if (++idx[i]! < outer[i]!) break;
      idx[i] = 0;
    }
  }
  return out;
}

/** The slice as one strided copy by pq's kernel, or null where that kernel cannot run it. */
function shortRuns(backend: tf.KernelBackend, x: tf.TensorInfo, begin: number[], size: number[], strides: number[]): tf.TensorInfo | null {
  const kernels = wasmKernels(backend);
  if (kernels === null) return null;
  const out = (backend as unknown as WasmLike).makeOutput(size.slice(), x.dtype);
  const from = heapOffset(backend, x) + 4 * begin.reduce((o, i, a) => o + i * strides[a]!, 0);
  if (copyStrided(kernels, 'permute', heapOffset(backend, out), from, size, strides.map((s) => 4 * s))) return out;
  backend.disposeData(out.dataId);
  return null;
}
