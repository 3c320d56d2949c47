// The tfjs setup every quant test uses: pq's (the cpu backend, tfjs-core's gradients and
// chained tensor methods), as `import '@pq/nn'` does.
import '../../../src/tfjs_setup.js';
