// Reductions as traced ops (torch.mean), so averages inside a model export to ONNX ReduceMean.
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';
import { normalizeDim } from './activation.js';

/** torch.mean(x, dim, keepDim): the mean over `dim` (a dim or a list; every dim when omitted). */
export function mean(x: tf.Tensor, dim?: number | readonly number[] | null, keepDim = false): tf.Tensor {
  const dims = dim === undefined || dim === null ? x.shape.map((_, i) => i) : [dim].flat().map((d) => normalizeDim('mean', d, x.rank));
  if (new Set(dims).size !== dims.length) throw new Error(`mean: dim ${JSON.stringify(dim)} repeats a dim`);
  return functional('mean', [x], { axes: dims, keepDim }, () => tf.mean(x, dims, keepDim));
}
