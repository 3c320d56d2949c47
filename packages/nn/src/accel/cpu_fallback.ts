// tfjs's wasm backend has no kernel for some ops the cpu backend runs (UnsortedSegmentSum, which
// Embedding's gradient uses; the depthwise-convolution gradients; Einsum, ...), and gets
// MaxPool3D and its gradient wrong for a batch of 3 or more (other batches' windows leak in).
// On the accelerated backend these run as tfjs's cpu kernels: inputs are copied out of the wasm
// heap, the cpu kernel runs, its outputs are copied back. Slower than a native kernel, but
// every op that works on cpu works on the accelerated backend, with the cpu backend's results.
import * as tf from '@tensorflow/tfjs-core';

/** wasm kernels whose results are wrong; their cpu versions replace them. */
const WRONG_ON_WASM = ['MaxPool3D', 'MaxPool3DGrad'];

/** Kernels to run on cpu for `backendName`: those it lacks, and those it gets wrong. */
export function cpuFallbackKernels(backendName: string): string[] {
  const have = new Set(tf.getKernelsForBackend(backendName).map((k) => k.kernelName));
  return tf
    .getKernelsForBackend('cpu')
    .map((k) => k.kernelName)
    .filter((name) => !have.has(name) || WRONG_ON_WASM.includes(name));
}

/** A kernel for another backend that runs tfjs's cpu kernel `kernelName` on copies of its inputs. */
export function viaCpuKernel(kernelName: string): tf.KernelFunc {
  return (({ inputs, attrs, backend }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: tf.KernelBackend }) => {
    const cpuKernel = tf.getKernel(kernelName, 'cpu')!;
    const cpu = tf.engine().findBackend('cpu');
    const made: tf.TensorInfo[] = [];
    const cpuInputs: tf.NamedTensorInfoMap = {};
    for (const [name, t] of Object.entries(inputs)) {
      if (t === undefined) continue;
      checkDtype(kernelName, t.dtype);
      const info = { dataId: cpu.write(backend.readSync(t.dataId) as tf.TypedArray, t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
      made.push(info);
      cpuInputs[name] = info;
    }
    try {
      const out = cpuKernel.kernelFunc({ inputs: cpuInputs, attrs: attrs ?? {}, backend: cpu });
      const outs = Array.isArray(out) ? out : [out];
      const back = outs.map((o) => {
        checkDtype(kernelName, o.dtype);
        const dataId = backend.write(cpu.readSync(o.dataId) as tf.TypedArray, o.shape, o.dtype);
        cpu.disposeData(o.dataId);
        return { dataId, shape: o.shape, dtype: o.dtype };
      });
      return Array.isArray(out) ? back : back[0]!;
    } finally {
      for (const info of made) cpu.disposeData(info.dataId);
    }
  }) as tf.KernelFunc;
}

function checkDtype(kernelName: string, dtype: tf.DataType): void {
  if (dtype === 'string' || dtype === 'complex64') {
    throw new Error(`${kernelName}: the accelerated (wasm) backend has no kernel for ${dtype} tensors; run it on tfjs's cpu backend (await tf.setBackend('cpu'))`);
  }
}
