// tfjs's MomentumOptimizer with two of its slips fixed (tfjs-core 4.22): its dispose() leaves
// the learning-rate scalar of its SGD base allocated (one tensor per optimizer), and its
// setMomentum() changes only the number reported by getConfig(), not the momentum the steps use.
import * as tf from '@tensorflow/tfjs-core';

/**
 * SGD with momentum as PyTorch's `SGD(params, lr, momentum)` (dampening 0): `v = m v + g;
 * p -= lr v` (Nesterov: `p -= lr (g + m v)`). A tfjs optimizer (`minimize`, `setLearningRate`)
 * whose `dispose()` frees every tensor it holds and whose `setMomentum()` takes effect.
 */
export class MomentumSGD extends tf.MomentumOptimizer {
  constructor(learningRate: number, momentum: number, useNesterov = false) {
    for (const [name, value] of [['learningRate', learningRate], ['momentum', momentum]] as const) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new RangeError(`MomentumSGD: ${name} must be a finite number >= 0, got ${String(value)}`);
      }
    }
    super(learningRate, momentum, useNesterov);
  }

  override setMomentum(momentum: number): void {
    if (typeof momentum !== 'number' || !Number.isFinite(momentum) || momentum < 0) {
      throw new RangeError(`MomentumSGD: momentum must be a finite number >= 0, got ${String(momentum)}`);
    }
    super.setMomentum(momentum);
    // The scalar the steps multiply by is tfjs's private field `m`.
    const self = this as unknown as { m: tf.Scalar };
    self.m.dispose();
    self.m = tf.keep(tf.scalar(momentum));
  }

  override dispose(): void {
    super.dispose();
    this.c.dispose();
  }
}
