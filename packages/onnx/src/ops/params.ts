// Loading an initializer into a layer's parameter (shape-checked, in place).
import * as tf from '@tensorflow/tfjs-core';
import { assignValue } from '@pq/nn';
import type { ConstTensor } from '../tensors.js';

/** Sets `v` (a layer's weight, bias, running statistic) to `values` of `shape`. */
export function loadParam(v: tf.Variable | null, values: ArrayLike<number>, shape: readonly number[], what: string): void {
  if (v === null) throw new Error(`importOnnx: the layer has no ${what}`);
  if (v.shape.length !== shape.length || v.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`importOnnx: ${what} of shape [${shape.join(', ')}] does not fit the layer's [${v.shape.join(', ')}]`);
  }
  assignValue(v, () => tf.tensor(Float32Array.from(values), [...shape], 'float32'));
}

/** `c` loaded as is. */
export function loadConst(v: tf.Variable | null, c: ConstTensor, what: string): void {
  loadParam(v, c.values, c.dims, what);
}

/** A row-major [rows, cols] matrix transposed. */
export function transposed(values: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}
