// Integer fake quantization (PqFakeTensorQuant) and its straight-through gradient (PqQuantGrad)
// on the wasm backend, in place in its heap: the generic kernels copy every tensor out to JS,
// run @pq/core there and copy the result back, which cost more than the quantization itself
// on a ResNet step. pq's SIMD kernels (kernels.wat `fq`/`fqv`/`ste`/`stev`) run core's exact
// float32 sequence — scales from core's quantScales, x·s, clamp, round half to even, / scale —
// so the results are core's bits. Anything else (custom QuantKernels, non-float32 inputs, an
// empty x, an amax that does not broadcast or is invalid, negative input to unsigned
// quantization) goes to the generic kernel, which computes it or throws core's error.
import type * as tf from '@tensorflow/tfjs-core';
import { blockPlan, checkAmax, forEachBlock, jsKernels, maxBound, minBound, quantScales, sameShape, shapeSize, type BlockPlan } from '@pq/core';
import '../ops/register.js';
import { fakeQuantKernelFunc } from '../ops/kernels/fake_quant.js';
import { quantGradKernelFunc } from '../ops/kernels/quant_grad.js';
import { getDefaultKernels } from '../ops/default_kernels.js';
import type { IntQuantAttrs } from '../ops/kernel_names.js';
import { heapOffset, wasmKernels, type WasmKernels } from './wasm_kernels.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };
interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** The block plan of amax against x, or null where the fast path does not apply. */
function planFor(x: tf.TensorInfo, amax: tf.TensorInfo, others: tf.TensorInfo[] = []): BlockPlan | null {
  if ([x, amax, ...others].some((t) => t.dtype !== 'float32') || shapeSize(x.shape) === 0) return null;
  try {
    return blockPlan(x.shape, amax.shape);
  } catch {
    return null; // the generic kernel throws core's message
  }
}

function fastKernels(backend: tf.KernelBackend, plan: BlockPlan | null): WasmKernels | null {
  return plan === null ? null : wasmKernels(backend);
}

function fakeQuantInHeap(k: WasmKernels, backend: tf.KernelBackend, x: tf.TensorInfo, amax: tf.TensorInfo, plan: BlockPlan, a: IntQuantAttrs): tf.TensorInfo | null {
  const heap = backend as unknown as WasmHeap;
  const am = heap.typedArrayFromHeap(amax);
  try {
    checkAmax(am);
  } catch {
    return null;
  }
  if (a.unsigned && k.any_neg(heapOffset(backend, x), shapeSize(x.shape)) !== 0) return null;
  const hi = maxBound(a.numBits, a.unsigned);
  const lo = minBound(a.numBits, a.unsigned, a.narrowRange);
  const { quant: sq, out: so } = quantScales({ data: am, shape: [...amax.shape] }, hi);
  const out = heap.makeOutput([...x.shape], 'float32');
  // Offsets are read after every allocation (allocating may grow the heap).
  const n = plan.blockLen;
  if (plan.vector) {
    const scales = heap.makeOutput([2, sq.length], 'float32');
    const view = heap.typedArrayFromHeap(scales);
    view.set(sq);
    view.set(so, sq.length);
    const xo = heapOffset(backend, x);
    const oo = heapOffset(backend, out);
    const qo = heapOffset(backend, scales);
    const doff = qo + 4 * sq.length;
    forEachBlock(plan, (xi, bi) => k.fqv(xo + 4 * xi, oo + 4 * xi, n, qo + 4 * bi, doff + 4 * bi, lo, hi));
    backend.disposeData(scales.dataId);
  } else {
    const xo = heapOffset(backend, x);
    const oo = heapOffset(backend, out);
    forEachBlock(plan, (xi, bi) => k.fq(xo + 4 * xi, oo + 4 * xi, n, sq[bi]!, so[bi]!, lo, hi));
  }
  return out;
}

export function fakeQuantWasm(original: tf.KernelConfig | undefined): tf.KernelFunc {
  const generic = original?.kernelFunc ?? fakeQuantKernelFunc;
  return (({ inputs, backend, attrs }: KernelArgs) => {
    const { x, amax } = inputs as { x: tf.TensorInfo; amax: tf.TensorInfo };
    const a = attrs as unknown as IntQuantAttrs;
    // Only core's own kernels: other QuantKernels (a GPU set, a test double) keep their say.
    const plan = (a.kernels ?? getDefaultKernels()) === jsKernels ? planFor(x, amax) : null;
    const k = fastKernels(backend, plan);
    const out = k === null ? null : fakeQuantInHeap(k, backend, x, amax, plan!, a);
    return out ?? generic({ inputs, backend, attrs } as never);
  }) as tf.KernelFunc;
}

export function quantGradWasm(original: tf.KernelConfig | undefined): tf.KernelFunc {
  const generic = original?.kernelFunc ?? quantGradKernelFunc;
  return (({ inputs, backend, attrs }: KernelArgs) => {
    const { x, amax, dy } = inputs as { x: tf.TensorInfo; amax: tf.TensorInfo; dy: tf.TensorInfo };
    const plan = sameShape(x.shape, dy.shape) ? planFor(x, amax, [dy]) : null;
    const k = fastKernels(backend, plan);
    if (k === null) return generic({ inputs, backend, attrs } as never);
    const out = (backend as unknown as WasmHeap).makeOutput([...x.shape], 'float32');
    const xo = heapOffset(backend, x);
    const go = heapOffset(backend, dy);
    const oo = heapOffset(backend, out);
    const n = plan!.blockLen;
    if (plan!.vector) {
      const mo = heapOffset(backend, amax);
      forEachBlock(plan!, (xi, bi) => k.stev(xo + 4 * xi, go + 4 * xi, oo + 4 * xi, n, mo + 4 * bi));
    } else {
      const am = (backend as unknown as WasmHeap).typedArrayFromHeap(amax);
      forEachBlock(plan!, (xi, bi) => k.ste(xo + 4 * xi, go + 4 * xi, oo + 4 * xi, n, am[bi]!));
    }
    return out;
  }) as tf.KernelFunc;
}
