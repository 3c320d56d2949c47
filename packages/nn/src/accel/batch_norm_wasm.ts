// PqBatchNormTrain and its gradient on the wasm backend, in the heap: the generic kernels'
// float64 arithmetic (ops/kernels/batch_norm.ts) with every sum in the same order, so the
// bits are theirs. On Node, the native kernels' batchNormTrain / batchNormTrainGrad (eight
// channels a call's lanes, all channels in one call); elsewhere pq's kernels.wat `bn_sums`,
// four channels' sums at once (independent chains: a lone float64 sum is bound by one
// addition's latency per element), and `bn_apply`, the elementwise passes two floats at a time,
// called channel by channel from here: at ResNet's later stages (512 channels of 1x1 maps) that
// per-channel work took 0.7 ms a call where the native kernel takes about a tenth of it.
import type * as tf from '@tensorflow/tfjs-core';
import { batchNormTrainGradKernelFunc, batchNormTrainKernelFunc, layout } from '../ops/kernels/batch_norm.js';
import type { BatchNormAttrs } from '../ops/kernel_names.js';
import { heapOffset, wasmKernels, type WasmKernels } from './wasm_kernels.js';
import { nativeKernels } from './native_provider.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };
interface Heap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** The kernels, or null where the generic kernel runs (no SIMD, or not float32). */
function simdFor(backend: tf.KernelBackend, tensors: tf.TensorInfo[]): WasmKernels | null {
  return tensors.every((t) => t.dtype === 'float32') ? wasmKernels(backend) : null;
}

/** `outs` once `fill` has written them; disposed if it throws. */
function disposedOnError(backend: tf.KernelBackend, outs: tf.TensorInfo[], fill: () => void): tf.TensorInfo[] {
  try {
    fill();
  } catch (e) {
    for (const t of outs) backend.disposeData(t.dataId);
    throw e;
  }
  return outs;
}

/** Runs `body` for each four channels c0..c0+3 (`ch`: their indices, the last repeated where fewer remain). */
function forQuads(C: number, body: (c0: number, ch: number[]) => void): void {
  for (let c0 = 0; c0 < C; c0 += 4) body(c0, [0, 1, 2, 3].map((k) => Math.min(c0 + k, C - 1)));
}

export function batchNormTrainWasm(): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const { x, weight, bias } = inputs as { x: tf.TensorInfo; weight: tf.TensorInfo; bias: tf.TensorInfo };
    const simd = simdFor(backend, [x, weight, bias]);
    if (simd === null) return batchNormTrainKernelFunc(args);
    const { eps } = attrs as unknown as BatchNormAttrs;
    const [N, C, S] = layout(x.shape);
    const count = N * S;
    const heap = backend as unknown as Heap;
    const native = nativeKernels();
    if (native !== null) {
      const outs = [x.shape.slice(), [C], [C]].map((s) => heap.makeOutput(s, 'float32'));
      // Views after every allocation (allocating may grow the heap).
      const [xv, w, b, y, m, v] = [x, weight, bias, ...outs].map((t) => heap.typedArrayFromHeap(t!));
      return disposedOnError(backend, outs, () => native.batchNormTrain(xv!, w!, b!, y!, m!, v!, N, C, S, eps));
    }
    const [y, mean, variance, scratch] = [x.shape.slice(), [C], [C], [16]].map((s) => heap.makeOutput(s, 'float32')) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
    // Offsets and views after every allocation (allocating may grow the heap).
    const [xo, yo, so] = [x, y, scratch].map((t) => heapOffset(backend, t)) as [number, number, number];
    const sums = new Float64Array(heap.typedArrayFromHeap(scratch).buffer, so, 8);
    const [w, b, meanV, varV] = [weight, bias, mean, variance].map((t) => heap.typedArrayFromHeap(t));
    const row = S * 4;
    forQuads(C, (c0, ch) => {
      const p = ch.map((c) => xo + c * row) as [number, number, number, number];
      simd.bn_sums(0, ...p, 0, 0, 0, 0, N, S, C * row, 0, 0, 0, 0, so);
      const m = [0, 1, 2, 3].map((k) => sums[k]! / count) as [number, number, number, number];
      simd.bn_sums(1, ...p, 0, 0, 0, 0, N, S, C * row, ...m, so);
      for (let k = 0; k < 4 && c0 + k < C; k++) {
        const c = c0 + k;
        const v = sums[k]! / count;
        const alpha = w![c]! / Math.sqrt(v + eps);
        simd.bn_apply(0, xo + c * row, 0, yo + c * row, N, S, C * row, alpha, b![c]! - m[k]! * alpha, 0, 0);
        meanV![c] = m[k]!;
        varV![c] = v;
      }
    });
    backend.disposeData(scratch.dataId);
    return [y, mean, variance];
  }) as unknown as tf.KernelFunc;
}

export function batchNormTrainGradWasm(): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const t = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo; mean: tf.TensorInfo; variance: tf.TensorInfo; weight: tf.TensorInfo };
    const simd = simdFor(backend, [t.dy, t.x, t.mean, t.variance, t.weight]);
    if (simd === null) return batchNormTrainGradKernelFunc(args);
    const { eps } = attrs as unknown as BatchNormAttrs;
    const [N, C, S] = layout(t.x.shape);
    const count = N * S;
    const heap = backend as unknown as Heap;
    const native = nativeKernels();
    if (native !== null) {
      const outs = [t.x.shape.slice(), [C], [C]].map((s) => heap.makeOutput(s, 'float32'));
      const [dy, x, mean, variance, w, dx, dw, db] = [t.dy, t.x, t.mean, t.variance, t.weight, ...outs].map((v) => heap.typedArrayFromHeap(v!));
      return disposedOnError(backend, outs, () => native.batchNormTrainGrad(dy!, x!, mean!, variance!, w!, dx!, dw!, db!, N, C, S, eps));
    }
    const [dx, dw, db, scratch] = [t.x.shape.slice(), [C], [C], [16]].map((s) => heap.makeOutput(s, 'float32')) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
    const [xo, dyo, dxo, so] = [t.x, t.dy, dx, scratch].map((v) => heapOffset(backend, v)) as [number, number, number, number];
    const sums = new Float64Array(heap.typedArrayFromHeap(scratch).buffer, so, 8);
    const [mean, variance, w, dwV, dbV] = [t.mean, t.variance, t.weight, dw, db].map((v) => heap.typedArrayFromHeap(v));
    const row = S * 4;
    forQuads(C, (c0, ch) => {
      const m = ch.map((c) => mean![c]!) as [number, number, number, number];
      const p = ch.map((c) => dyo + c * row) as [number, number, number, number];
      const q = ch.map((c) => xo + c * row) as [number, number, number, number];
      simd.bn_sums(2, ...p, ...q, N, S, C * row, ...m, so);
      for (let k = 0; k < 4 && c0 + k < C; k++) {
        const c = c0 + k;
        const [sumDy, sumDyXc] = [sums[k]!, sums[4 + k]!];
        // As the generic kernel: dx = w·invstd·(dy - Σdy/M - (x - mean)·Σ(dy·(x - mean))·invstd²/M).
        const invstd = 1 / Math.sqrt(variance![c]! + eps);
        const proj = (sumDyXc * invstd * invstd) / count;
        simd.bn_apply(1, xo + c * row, dyo + c * row, dxo + c * row, N, S, C * row, w![c]! * invstd, sumDy / count, m[k]!, proj);
        dwV![c] = sumDyXc * invstd;
        dbV![c] = sumDy;
      }
    });
    backend.disposeData(scratch.dataId);
    return [dx, dw, db];
  }) as unknown as tf.KernelFunc;
}
