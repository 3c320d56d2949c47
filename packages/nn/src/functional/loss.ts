// Classification losses with PyTorch's reductions, weights and ignore_index.
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';
import { checkOptions, formatShape } from '@pq/core';
import { logSoftmax } from './activation.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface NllLossOptions {
  /** A weight per class ([C]). */
  weight?: tf.Tensor | null;
  /** Targets equal to this contribute nothing (PyTorch default -100). */
  ignoreIndex?: number;
  reduction?: Reduction;
}

const NLL_KEYS = { weight: 'any', ignoreIndex: 'integer', reduction: 'string' } as const;

/** Class indices as plain ints (targets carry no gradient). */
function targetValues(target: tf.Tensor | ArrayLike<number>): { values: ArrayLike<number>; shape: number[] } {
  if (target instanceof tf.Tensor) return { values: target.dataSync(), shape: [...target.shape] };
  return { values: target, shape: [target.length] };
}

/**
 * Negative log likelihood of class `target` under log-probabilities `input` ([N, C] or
 * [N, C, d...]; targets [N] or [N, d...]). Reduction 'mean' divides by the summed weights of the
 * counted targets, as PyTorch does.
 */
export function nllLoss(input: tf.Tensor, target: tf.Tensor | ArrayLike<number>, o: NllLossOptions = {}): tf.Tensor {
  checkOptions('nllLoss', o, NLL_KEYS);
  const reduction = o.reduction ?? 'mean';
  if (!['mean', 'sum', 'none'].includes(reduction)) throw new Error(`nllLoss: reduction must be 'mean', 'sum' or 'none', got '${reduction}'`);
  const ignoreIndex = o.ignoreIndex ?? -100;
  if (input.rank < 2) throw new Error(`nllLoss: input must be [N, C] or [N, C, d...], got shape ${formatShape(input.shape)}`);
  const { values, shape: tShape } = targetValues(target);
  const expected = [input.shape[0]!, ...input.shape.slice(2)];
  if (tShape.length !== expected.length || tShape.some((s, i) => s !== expected[i])) {
    throw new Error(`nllLoss: target shape ${formatShape(tShape)} does not match input ${formatShape(input.shape)} (expected ${formatShape(expected)})`);
  }
  const classes = input.shape[1]!;
  const classWeight = o.weight ? o.weight.dataSync() : null;
  if (classWeight && classWeight.length !== classes) {
    throw new Error(`nllLoss: weight must have ${classes} entries (one per class), got shape ${formatShape(o.weight!.shape)}`);
  }
  return functional('nllLoss', [input, target], { reduction, ignoreIndex }, () =>
    tf.tidy(() => {
      // Channels last: [M, C] rows, one target each; the mask holds the target's weight.
      const rank = input.rank;
      const rows = rank === 2 ? input : tf.transpose(input, [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1]);
      const m = values.length;
      const mask = new Float32Array(m * classes);
      let weightSum = 0;
      for (let i = 0; i < m; i++) {
        const t = values[i]!;
        if (t === ignoreIndex) continue;
        if (!Number.isInteger(t) || t < 0 || t >= classes) throw new Error(`nllLoss: target ${t} is out of bounds for ${classes} classes`);
        const w = classWeight ? classWeight[t]! : 1;
        mask[i * classes + t] = w;
        weightSum += w;
      }
      const picked = tf.neg(tf.sum(tf.mul(tf.reshape(rows, [m, classes]), tf.tensor2d(mask, [m, classes])), 1));
      if (reduction === 'none') return tf.reshape(picked, tShape);
      const total = tf.sum(picked);
      return reduction === 'sum' ? total : tf.div(total, tf.scalar(weightSum));
    }),
  );
}

/** nllLoss(logSoftmax(input, 1), target): cross entropy of logits against class indices. */
export function crossEntropy(input: tf.Tensor, target: tf.Tensor | ArrayLike<number>, o: NllLossOptions = {}): tf.Tensor {
  checkOptions('crossEntropy', o, NLL_KEYS);
  return functional('crossEntropy', [input, target], { reduction: o.reduction ?? 'mean', ignoreIndex: o.ignoreIndex ?? -100 }, () =>
    tf.tidy(() => nllLoss(logSoftmax(input, input.rank === 1 ? 0 : 1), target, o)),
  );
}

/**
 * Mean squared error (torch.nn.functional.mse_loss): `(input - target)^2`, averaged ('mean',
 * default), summed ('sum') or elementwise ('none'). Shapes broadcast as in PyTorch, which warns
 * when they differ; so does this.
 */
export function mseLoss(input: tf.Tensor, target: tf.Tensor, o: { reduction?: Reduction } = {}): tf.Tensor {
  checkOptions('mseLoss', o, { reduction: 'string' });
  const reduction = o.reduction ?? 'mean';
  if (!['mean', 'sum', 'none'].includes(reduction)) throw new Error(`mseLoss: reduction must be 'mean', 'sum' or 'none', got '${reduction}'`);
  if (formatShape(input.shape) !== formatShape(target.shape)) {
    try {
      tf.backend_util.assertAndGetBroadcastShape(input.shape, target.shape);
    } catch {
      throw new Error(`mseLoss: target shape ${formatShape(target.shape)} does not broadcast to input shape ${formatShape(input.shape)}`);
    }
    console.warn(
      `mseLoss: using a target size (${formatShape(target.shape)}) that is different to the input size (${formatShape(input.shape)}); ` +
        'this will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.',
    );
  }
  return functional('mseLoss', [input, target], { reduction }, () =>
    tf.tidy(() => {
      const d = tf.sub(input, target);
      const sq = tf.mul(d, d);
      if (reduction === 'none') return sq;
      return reduction === 'sum' ? tf.sum(sq) : tf.mean(sq);
    }),
  );
}
