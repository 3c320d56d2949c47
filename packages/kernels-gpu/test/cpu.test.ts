// The shared suite on gpu.js's 'cpu' backend.
import { describeGpuModeSuite } from './gpu-mode-suite.js';

describeGpuModeSuite('cpu', { large: true });
