// The suites that also run in Chromium (tooling/browser-tests): the golden vectors, on the JS
// loops and on the WebAssembly SIMD path.
import './golden-affine-e4m3.test.js';
import './golden-histogram.test.js';
import './golden-reduce-amax.test.js';
import './golden-tensor-quant.test.js';
import './simd.test.js';
