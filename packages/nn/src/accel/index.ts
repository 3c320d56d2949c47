// Training speed for @pq/nn on Node without a GPU. See the package README, "Training speed".
export { enableAcceleration, disableAcceleration, accelerationState } from './enable.js';
export type { AccelerationOptions, AccelerationState, AcceleratedBackend } from './enable.js';
export type { NativeState } from './native_provider.js';
export { registerTfjsGradients, tfjsGradientsRegistered } from '../tfjs_setup.js';
