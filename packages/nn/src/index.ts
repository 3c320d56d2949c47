// Registers the cpu backend and tfjs-core's gradients before anything else runs.
import './tfjs_setup.js';
export * from './module.js';
export * from './hooks.js';
// float layers (PyTorch nn), the functional API F, initialisation, seeding, state files
export * from './layers/index.js';
export * as F from './functional/index.js';
export * as init from './init.js';
export { Generator, defaultGenerator, manualSeed } from './random.js';
export * from './io/index.js';
