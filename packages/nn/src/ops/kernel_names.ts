// The names that join each pq op to its kernels and its gradient (tfjs-core's kernel_names.ts
// pattern): the public op runs `engine().runKernel(name, ...)`, the backend kernel and the
// gradient are registered under the same name.
import type { BlockSizes, QuantKernels } from '@pq/core';

/** Fake (quantize + dequantize) integer quantization: inputs `{ x, amax }`. */
export const PqFakeTensorQuant = 'PqFakeTensorQuant';
/** Real integer quantization, outputs `[q, scale]`: inputs `{ x, amax }`. */
export const PqTensorQuant = 'PqTensorQuant';
/** FP8 E4M3 fake quantization: inputs `{ x, amax }`. */
export const PqScaledE4M3 = 'PqScaledE4M3';
/** Straight-through gradient of the integer ops: inputs `{ x, amax, dy }`, `dy` where |x| <= amax. */
export const PqQuantGrad = 'PqQuantGrad';
/** Straight-through gradient of PqScaledE4M3: inputs `{ x, amax, dy }` (attr hasAmax). */
export const PqScaledE4M3Grad = 'PqScaledE4M3Grad';

/**
 * Batch normalisation with the batch's own statistics, NC[spatial] layout: inputs
 * `{ x, weight, bias }` (weight/bias [C]), attr `eps`; outputs `[y, mean, variance]` (biased
 * variance, [C] each).
 */
export const PqBatchNormTrain = 'PqBatchNormTrain';
/** Gradient of PqBatchNormTrain: inputs `{ dy, x, mean, variance, weight }`, attr `eps`; outputs `[dx, dweight, dbias]`. */
export const PqBatchNormTrainGrad = 'PqBatchNormTrainGrad';

export interface BatchNormAttrs {
  eps: number;
}

/** Block-wise fake quantization (integer or E4M3): inputs `{ x, amax }`, amax of the block shape. */
export const PqFakeBlockQuant = 'PqFakeBlockQuant';
/** Straight-through gradient of PqFakeBlockQuant: inputs `{ x, amax, dy }`, `dy` where |x| <= its block's amax. */
export const PqBlockQuantGrad = 'PqBlockQuantGrad';

export interface BlockQuantAttrs {
  /** The blocked axes and their lengths (`{ [-1]: 128 }`). */
  blockSizes: BlockSizes;
  /** FP8 E4M3 instead of integers (numBits, unsigned and narrowRange then unused). */
  e4m3: boolean;
  numBits: number;
  unsigned: boolean;
  narrowRange: boolean;
}

export interface IntQuantAttrs {
  numBits: number;
  unsigned: boolean;
  narrowRange: boolean;
  /** The kernels computing the forward; null means the current default. */
  kernels: QuantKernels | null;
}

export interface ScaledE4M3Attrs {
  /** False: the op was called without amax (the amax input is then 448 and unused). */
  hasAmax: boolean;
}

/**
 * One step of SGD with momentum for one parameter: inputs `{ p, v, g }` (parameter, velocity,
 * gradient; float32, one shape), outputs `[p', v']` with `v' = m v + g` and `p' = c v' + p`
 * (Nesterov: `p' = c (g + v' m) + p`), `c = -lr`: tfjs's MomentumOptimizer's ops, in one pass.
 */
export const PqMomentumStep = 'PqMomentumStep';

export interface MomentumStepAttrs {
  /** Minus the learning rate. */
  c: number;
  /** The momentum. */
  m: number;
  nesterov: boolean;
}

/**
 * Batch norm's running statistics after one training batch, as PyTorch updates them: inputs
 * `{ runningMean, runningVar, mean, variance }` ([C] each, float32; variance biased), outputs
 * `[(1 - momentum)·runningMean + momentum·mean, (1 - momentum)·runningVar + momentum·variance·unbias]`,
 * every product and sum rounded to float32 as the tfjs ops computing it round them (the scalars
 * `1 - momentum`, `momentum` and `unbias` too): one kernel instead of six ops per layer.
 */
export const PqRunningStats = 'PqRunningStats';

export interface RunningStatsAttrs {
  momentum: number;
  /** count / (count - 1), the unbiasing factor of the batch variance over `count` values per channel. */
  unbias: number;
}
