// What `import '@pq/nn'` does to tfjs, and why: the same as `import '@tensorflow/tfjs'` does.
// tfjs keeps gradients and tensor methods in global registries that a package fills when it is
// imported; tfjs-core registers neither itself (`@tensorflow/tfjs` imports its
// register_all_gradients and register_all_chained_ops files), and pq's modules need both:
// `tf.grad` through convolutions, pooling and matmuls, and `x.reshape(...)`, `x.mean()`.
// The registrations come from tfjs-core's own sources (src/tfjs/registrations.generated.ts),
// built so that they use the tfjs-core the program already has, in every environment: ES
// modules, CommonJS, bundlers and browsers. The cpu backend is registered as a fallback.
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { registerGradientsAndChainedOps } from './tfjs/registrations.generated.js';
// The chained methods' types (`x.reshape(...)` on tf.Tensor), declared by tfjs-core beside them.
export type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';

/** True when tfjs has gradient functions registered (pq's or another package's). */
export function tfjsGradientsRegistered(): boolean {
  return tf.getGradient('Conv2D') !== undefined && tf.getGradient('MaxPool') !== undefined;
}

/**
 * Registers every gradient function and chained tensor method tfjs-core ships. Importing
 * `@pq/nn` has already done so; call it again to restore them after replacing one.
 */
export function registerTfjsGradients(): Promise<void> {
  registerGradientsAndChainedOps();
  return Promise.resolve();
}

/**
 * tfjs-backend-cpu prints an advertisement for tfjs-node ("Hi, looks like you are running
 * TensorFlow.js in Node.js...") the first time it stores a tensor under Node. pq's fast path on
 * Node is the wasm backend, not tfjs-node, so the advertisement only misleads: the backend's
 * `firstUse` flag, which it checks, reads false from now on.
 */
function silenceCpuBackendAdvert(): void {
  Object.defineProperty(MathBackendCPU.prototype, 'firstUse', { configurable: true, get: () => false, set: () => {} });
  const made = tf.engine().registry['cpu'] as { firstUse?: boolean } | undefined; // one created before pq was imported
  if (made !== undefined && Object.hasOwn(made, 'firstUse')) made.firstUse = false;
}

registerGradientsAndChainedOps();
silenceCpuBackendAdvert();
