// Training speed for @pq/nn on Node without a GPU (issue 6). See the package README, "Training speed".
export { enableAcceleration, disableAcceleration, accelerationState } from './enable.js';
export type { AccelerationOptions, AccelerationState, AcceleratedBackend } from './enable.js';
export { registerTfjsGradients, tfjsGradientsRegistered } from '../tfjs_setup.js';
export { fakeQuantFused } from './fake_quant_op.js';
export type { FakeQuantFusedOptions } from './fake_quant_op.js';
export { PQ_FAKE_QUANT, PQ_FAKE_QUANT_GRAD, registerFakeQuantKernels } from './fake_quant_kernels.js';
