// Composite kernels call other kernels of the same backend directly (TensorInfo in, TensorInfo
// out), as tfjs's own backends do, so they add nothing to the tape and no engine bookkeeping.
// A `KernelScope` remembers every intermediate so one `dispose()` frees them all.
import * as tf from '@tensorflow/tfjs-core';

type Backend = tf.KernelBackend;
type Attrs = tf.NamedAttrMap;

export class KernelScope {
  private readonly made: tf.TensorInfo[] = [];
  constructor(readonly backend: Backend, readonly backendName: string) {}

  /**
   * Runs kernel `name` of this backend (or `config`, e.g. the stock kernel pq replaced); the
   * result is freed by `dispose()` unless `keep`.
   */
  run(name: string, inputs: tf.NamedTensorInfoMap, attrs: Attrs = {}, keep = false, config?: tf.KernelConfig): tf.TensorInfo {
    const out = callKernel(name, this.backendName, this.backend, inputs, attrs, config ?? tf.getKernel(name, this.backendName));
    if (!keep) this.made.push(out);
    return out;
  }

  /** Frees `t` (made outside `run`) with the scope's other intermediates. */
  adopt(t: tf.TensorInfo): tf.TensorInfo {
    this.made.push(t);
    return t;
  }

  dispose(): void {
    for (const t of this.made) this.backend.disposeData(t.dataId);
    this.made.length = 0;
  }
}

export function callKernel(
  name: string,
  backendName: string,
  backend: Backend,
  inputs: tf.NamedTensorInfoMap,
  attrs: Attrs = {},
  config: tf.KernelConfig | undefined = tf.getKernel(name, backendName),
): tf.TensorInfo {
  if (config === undefined) throw new Error(`no ${name} kernel is registered for backend '${backendName}'`);
  const out = config.kernelFunc({ inputs, backend, attrs } as never);
  if (Array.isArray(out)) throw new Error(`kernel ${name} returned ${out.length} outputs where one was expected`);
  return out;
}

/** Runs `body` with a scope whose intermediates are freed afterwards, even on error. */
export function withScope<T>(backend: Backend, backendName: string, body: (s: KernelScope) => T): T {
  const scope = new KernelScope(backend, backendName);
  try {
    return body(scope);
  } finally {
    scope.dispose();
  }
}
