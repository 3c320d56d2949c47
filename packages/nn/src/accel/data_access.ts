// Zero-copy access to a kernel's float32 data on the backends that keep it in JS-visible
// memory: the wasm heap (typedArrayFromHeap) and the cpu backend's own arrays. Anything else
// goes through the generic readSync/write copies.
import type * as tf from '@tensorflow/tfjs-core';
import { shapeSize } from '@pq/core';

interface WasmLike {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}
interface CpuLike {
  data: { get(id: tf.DataId): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function isWasm(b: tf.KernelBackend): b is tf.KernelBackend & WasmLike {
  return typeof (b as unknown as WasmLike).typedArrayFromHeap === 'function';
}
function isCpu(b: tf.KernelBackend): b is tf.KernelBackend & CpuLike {
  return typeof (b as unknown as CpuLike).makeTensorInfo === 'function' && (b as unknown as CpuLike).data !== undefined;
}

function checkFloat(t: tf.TensorInfo, who: string): void {
  if (t.dtype !== 'float32') throw new Error(`${who}: expects float32 tensors, got ${t.dtype} [${t.shape}]`);
}

/**
 * A read-only view of `t`'s values. On wasm the view dies when the heap grows, so allocate
 * every output (`allocOutput`) before taking views.
 */
export function readView(backend: tf.KernelBackend, t: tf.TensorInfo, who: string): Float32Array {
  checkFloat(t, who);
  if (isWasm(backend)) return backend.typedArrayFromHeap(t);
  if (isCpu(backend)) {
    const v = backend.data.get(t.dataId).values;
    if (v instanceof Float32Array) return v;
  }
  return backend.readSync(t.dataId) as Float32Array;
}

export interface Output {
  /** Call after every allocation is done; fill the returned array, then `finish()`. */
  view(): Float32Array;
  finish(): tf.TensorInfo;
}

/** A new float32 output of `shape`, zero-filled. */
export function allocOutput(backend: tf.KernelBackend, shape: number[]): Output {
  const size = shapeSize(shape);
  if (isWasm(backend)) {
    const info = backend.makeOutput(shape, 'float32');
    return {
      view: () => {
        const v = backend.typedArrayFromHeap(info);
        v.fill(0);
        return v;
      },
      finish: () => info,
    };
  }
  const values = new Float32Array(size);
  return {
    view: () => values,
    // The generic write copies, so it happens once the values are final.
    finish: () =>
      isCpu(backend)
        ? backend.makeTensorInfo(shape, 'float32', values)
        : { dataId: backend.write(values, shape, 'float32'), shape, dtype: 'float32' },
  };
}

/**
 * On wasm, a new float32 output of `shape` that `fill` writes whole (so it is not zeroed), given
 * views of it and of `inputs` taken after the allocation; null on other backends or for
 * non-float32 inputs, for the caller to take its other path.
 */
export function fillOnHeap(
  backend: tf.KernelBackend,
  shape: number[],
  inputs: tf.TensorInfo[],
  fill: (out: Float32Array, ins: Float32Array[]) => void,
): tf.TensorInfo | null {
  if (!isWasm(backend) || inputs.some((t) => t.dtype !== 'float32')) return null;
  const info = backend.makeOutput(shape, 'float32');
  try {
    fill(backend.typedArrayFromHeap(info), inputs.map((t) => backend.typedArrayFromHeap(t)));
  } catch (e) {
    backend.disposeData(info.dataId);
    throw e;
  }
  return info;
}
