// Registers the pq kernels and their gradients with tfjs (imported for its side effect by
// the ops). The kernels only use `readSync`/`write`, so they serve any backend; they are
// registered for the backends tfjs ships, and `registerPqKernels(name)` adds another.
import * as tf from '@tensorflow/tfjs-core';
import { fakeQuantKernelConfig } from './kernels/fake_quant.js';
import { tensorQuantKernelConfig } from './kernels/tensor_quant.js';
import { scaledE4M3KernelConfig } from './kernels/scaled_e4m3.js';
import { quantGradKernelConfig, scaledE4M3GradKernelConfig } from './kernels/quant_grad.js';
import { fakeQuantGradConfig } from './gradients/fake_quant_grad.js';
import { blockQuantGradKernelConfig, fakeBlockQuantKernelConfig } from './kernels/block_quant.js';
import { fakeBlockQuantGradConfig } from './gradients/block_quant_grad.js';
import { tensorQuantGradConfig } from './gradients/tensor_quant_grad.js';
import { scaledE4M3GradConfig } from './gradients/scaled_e4m3_grad.js';
import { batchNormTrainGradKernelConfig, batchNormTrainKernelConfig } from './kernels/batch_norm.js';
import { batchNormTrainGradConfig } from './gradients/batch_norm_grad.js';
import { momentumStepKernelConfig } from './kernels/momentum_step.js';
import { runningStatsKernelConfig } from './kernels/running_stats.js';
import { PqMomentumStep, PqRunningStats } from './kernel_names.js';

const KERNEL_CONFIGS = [
  fakeQuantKernelConfig, tensorQuantKernelConfig, scaledE4M3KernelConfig, quantGradKernelConfig, scaledE4M3GradKernelConfig,
  fakeBlockQuantKernelConfig, blockQuantGradKernelConfig,
  batchNormTrainKernelConfig, batchNormTrainGradKernelConfig,
];
const KNOWN_BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu', 'tensorflow'];

/** Registers the pq kernels for a tfjs backend (no-op for those already registered). */
export function registerPqKernels(backendName: string): void {
  for (const make of KERNEL_CONFIGS) {
    const config = make(backendName);
    if (tf.getKernel(config.kernelName, backendName) === undefined) tf.registerKernel(config);
  }
}

for (const backendName of KNOWN_BACKENDS) registerPqKernels(backendName);
// MomentumSGD's fused step and batch norm's running statistics only where the data is in
// JS-visible memory: on a GPU backend the reads would download it, and tfjs's ops run there.
for (const backendName of ['cpu', 'wasm']) {
  if (tf.getKernel(PqMomentumStep, backendName) === undefined) tf.registerKernel(momentumStepKernelConfig(backendName));
  if (tf.getKernel(PqRunningStats, backendName) === undefined) tf.registerKernel(runningStatsKernelConfig(backendName));
}
for (const grad of [fakeQuantGradConfig, tensorQuantGradConfig, scaledE4M3GradConfig, fakeBlockQuantGradConfig, batchNormTrainGradConfig]) {
  if (tf.getGradient(grad.kernelName) === undefined) tf.registerGradient(grad);
}
