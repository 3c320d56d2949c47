// Runs before every test file (vitest setupFiles). Test files share one module graph per worker
// (tooling/test-config: isolate false), so each starts from the same tfjs state: tfjs's cpu
// backend with its stock kernels, the path browsers and `disableAcceleration()` users take, on
// which the suites compare with PyTorch. On Node `import '@pq/nn'` makes the wasm backend with
// pq's kernels the default instead; test/accel/ runs the golden suites there, and
// tooling/package-tests checks the default itself from the built package.
import { disableAcceleration } from '../src/index.js';

disableAcceleration();
