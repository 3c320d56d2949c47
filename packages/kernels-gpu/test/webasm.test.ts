// The shared suite on gpu.js's 'webasm' backend.
import { describeGpuModeSuite } from './gpu-mode-suite.js';

describeGpuModeSuite('webasm', { large: true });
