// Relu's gradient as one kernel: tfjs computes it as mul(dy, cast(step(x))), three passes and
// two temporaries over the activation. pq's 'PqReluGrad' kernel does dy * (x > 0) in one pass;
// enableAcceleration points Relu's gradient at it and disableAcceleration restores tfjs's.
// 'PqHardtanhGrad' does the same for hardtanh/relu6 (MobileNet's activation), whose gradient as
// tfjs ops is two comparisons, a logical or, a zeros tensor and a select (~5 passes): F.hardtanh
// uses it wherever it is registered (the accelerated backends).
import * as tf from '@tensorflow/tfjs-core';
import { allocOutput, readView } from './data_access.js';
import { heapOffset, wasmKernels } from './wasm_kernels.js';

export const PQ_RELU_GRAD = 'PqReluGrad';

function reluGradKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend }): tf.TensorInfo {
  const x = inputs['x']!;
  const out = allocOutput(backend, x.shape.slice());
  const dx = out.view();
  const xv = readView(backend, x, 'ReluGrad');
  const dy = readView(backend, inputs['dy']!, 'ReluGrad');
  // On wasm, the same selection four floats at a time in the heap (kernels.wat `relu_grad`).
  const simd = wasmKernels(backend);
  if (simd !== null) {
    const info = out.finish();
    simd.relu_grad(heapOffset(backend, x), heapOffset(backend, inputs['dy']!), heapOffset(backend, info), dx.length);
    return info;
  }
  // Bit for bit tfjs's dy * step(x): step(NaN) is NaN, and dy * 0 keeps the sign of zero.
  for (let i = 0; i < dx.length; i++) {
    const v = xv[i]!;
    dx[i] = v > 0 ? dy[i]! : v !== v ? Number.NaN : dy[i]! * 0;
  }
  return out.finish();
}

export const PQ_HARDTANH_GRAD = 'PqHardtanhGrad';

/** dy where lo < x < hi, else +0 (NaN passes dy): PyTorch's hardtanh_backward, F.hardtanh's ops bit for bit. */
function hardtanhGradKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }): tf.TensorInfo {
  const x = inputs['x']!;
  const { lo, hi } = attrs as { lo: number; hi: number };
  const out = allocOutput(backend, x.shape.slice());
  const dx = out.view();
  const xv = readView(backend, x, 'HardtanhGrad');
  const dy = readView(backend, inputs['dy']!, 'HardtanhGrad');
  const simd = wasmKernels(backend); // on wasm, four floats at a time in the heap (kernels.wat `hardtanh_grad`)
  if (simd !== null) {
    const info = out.finish();
    simd.hardtanh_grad(heapOffset(backend, x), heapOffset(backend, inputs['dy']!), heapOffset(backend, info), dx.length, lo, hi);
    return info;
  }
  for (let i = 0; i < dx.length; i++) {
    const v = xv[i]!;
    dx[i] = v <= lo || v >= hi ? 0 : dy[i]!;
  }
  return out.finish();
}

export function registerReluGradKernel(backendName: string): void {
  if (tf.getKernel(PQ_HARDTANH_GRAD, backendName) === undefined) {
    tf.registerKernel({ kernelName: PQ_HARDTANH_GRAD, backendName, kernelFunc: hardtanhGradKernel as unknown as tf.KernelFunc });
  }
  if (tf.getKernel(PQ_RELU_GRAD, backendName) !== undefined) return;
  tf.registerKernel({ kernelName: PQ_RELU_GRAD, backendName, kernelFunc: reluGradKernel as tf.KernelFunc });
}

/** The gradient config pq installs for Relu (float32 only; other dtypes keep tfjs's math). */
export function reluGradConfig(stock: tf.GradConfig | undefined): tf.GradConfig {
  return {
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x] = saved as [tf.Tensor];
      const g = dy as tf.Tensor;
      if (x.dtype !== 'float32' || g.dtype !== 'float32' || tf.getKernel(PQ_RELU_GRAD, tf.getBackend()) === undefined) {
        if (stock === undefined) throw new Error('Relu gradient: no stock gradient registered to fall back to');
        return stock.gradFunc(dy, saved, attrs);
      }
      return { x: () => tf.engine().runKernel(PQ_RELU_GRAD, { x, dy: g }) as tf.Tensor };
    },
  };
}
