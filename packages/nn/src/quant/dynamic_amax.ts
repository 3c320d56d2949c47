// A batch's amax as TensorQuantizer computes it when it has no static one: max |x| over every
// axis not kept, through the QuantKernels' reduceAmax. Shared by the quantizer and by code that
// calls the fakeQuant op directly (the raw-ops LeNet benchmark, the accel tests).
import * as tf from '@tensorflow/tfjs-core';
import { normalizeAxes, type QuantKernels } from '@pq/core';
import { getDefaultKernels } from '../ops/default_kernels.js';

/**
 * max |x| keeping `axis` (one axis, several, or null for per tensor), with kept dims of size 1
 * so it broadcasts against x. Computed from values (not tf ops), so no gradient flows into it,
 * as in the reference.
 */
export function dynamicAmax(x: tf.Tensor, axis: number | readonly number[] | null, kernels: QuantKernels = getDefaultKernels()): tf.Tensor {
  // An axis beyond x's rank is an error, not a per-tensor amax.
  const keep = axis === null ? [] : normalizeAxes(axis, x.rank);
  const reduce = x.shape.map((_, i) => i).filter((i) => !keep.includes(i));
  const r = kernels.reduceAmax({ data: Float32Array.from(x.dataSync()), shape: [...x.shape] }, reduce, true);
  return tf.tensor(r.data, [...r.shape], 'float32');
}
