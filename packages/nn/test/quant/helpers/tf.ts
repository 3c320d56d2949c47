// The tfjs setup every quant test uses: the CPU backend and tfjs-core's own gradients (which
// its Node bundle does not register; vite resolves the per-file modules that Node cannot).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
