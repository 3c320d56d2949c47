// tfjs's MomentumOptimizer with two of its slips fixed (tfjs-core 4.22): its dispose() leaves
// the learning-rate scalar of its SGD base allocated (one tensor per optimizer), and its
// setMomentum() changes only the number reported by getConfig(), not the momentum the steps use.
// Its step is one PqMomentumStep kernel per parameter where that kernel is registered (cpu,
// wasm): tfjs's four ops per parameter each allocate and write a full-size tensor, which on
// ResNet-18's 11M parameters cost more than the step's other elementwise kernels together.
import * as tf from '@tensorflow/tfjs-core';
import './ops/register.js';
import { PqMomentumStep, type MomentumStepAttrs } from './ops/kernel_names.js';

type Gradients = Parameters<tf.MomentumOptimizer['applyGradients']>[0];

/** tfjs's private state of MomentumOptimizer that the fused step reads and fills as tfjs would. */
interface MomentumState {
  m: tf.Scalar;
  accumulations: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

/**
 * SGD with momentum as PyTorch's `SGD(params, lr, momentum)` (dampening 0): `v = m v + g;
 * p -= lr v` (Nesterov: `p -= lr (g + m v)`). A tfjs optimizer (`minimize`, `setLearningRate`)
 * whose `dispose()` frees every tensor it holds and whose `setMomentum()` takes effect. Its
 * results are tfjs's MomentumOptimizer's, bit for bit.
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

  override applyGradients(variableGradients: Gradients): void {
    const list = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name]! }));
    const variables = tf.engine().registeredVariables;
    const fused = tf.getKernel(PqMomentumStep, tf.getBackend()) !== undefined
      && list.every(({ name, tensor }) => tensor == null || (tensor.dtype === 'float32' && variables[name]?.dtype === 'float32'));
    if (!fused) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as MomentumState;
    // The scalars tfjs's ops would multiply by hold these float32 values.
    const { learningRate, momentum, useNesterov } = this.getConfig() as { learningRate: number; momentum: number; useNesterov: boolean };
    const attrs: MomentumStepAttrs = { c: Math.fround(-learningRate), m: Math.fround(momentum), nesterov: useNesterov };
    list.forEach(({ name, tensor: gradient }, i) => {
      const value = variables[name]!;
      // Created as tfjs creates them, so getWeights/setWeights see the same slots.
      self.accumulations[i] ??= { originalName: `${name}/momentum`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      if (gradient == null) return;
      const accumulation = self.accumulations[i].variable;
      tf.tidy(() => {
        const inputs = { p: value, v: accumulation, g: gradient };
        const [p, v] = tf.engine().runKernel(PqMomentumStep, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        accumulation.assign(v!);
        value.assign(p!);
      });
    });
    this.incrementIterations();
  }

  override setMomentum(momentum: number): void {
    if (typeof momentum !== 'number' || !Number.isFinite(momentum) || momentum < 0) {
      throw new RangeError(`MomentumSGD: momentum must be a finite number >= 0, got ${String(momentum)}`);
    }
    super.setMomentum(momentum);
    // The scalar tfjs's ops multiply by is its private field `m`.
    const self = this as unknown as MomentumState;
    self.m.dispose();
    self.m = tf.keep(tf.scalar(momentum));
  }

  override dispose(): void {
    super.dispose();
    this.c.dispose();
  }
}
