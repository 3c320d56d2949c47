export { fakeQuant, type FakeQuantOptions } from './fake_quant.js';
export { realQuant } from './real_quant.js';
export { fakeE4M3 } from './fake_e4m3.js';
export { fakeBlockQuant, type FakeBlockQuantOptions } from './fake_block_quant.js';
export { pactClip } from './pact_clip.js';
export { getDefaultKernels, setDefaultKernels } from './default_kernels.js';
export { registerPqKernels } from './register.js';
export { PqFakeTensorQuant, PqTensorQuant, PqScaledE4M3, PqFakeBlockQuant } from './kernel_names.js';
