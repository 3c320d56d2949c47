// Which QuantKernels implementation the ops use when a call does not name one. `jsKernels`
// from @pq/core by default; `setDefaultKernels(gpuKernels)` switches every later op call.
import { jsKernels, type QuantKernels } from '@pq/core';

let current: QuantKernels = jsKernels;

/** The kernels the fake-quant ops use by default. */
export function getDefaultKernels(): QuantKernels {
  return current;
}

/** Sets the kernels used by every later op call that does not pass `kernels`; returns the previous ones. */
export function setDefaultKernels(kernels: QuantKernels): QuantKernels {
  if (kernels === null || typeof kernels !== 'object' || typeof kernels.fakeTensorQuant !== 'function') {
    throw new TypeError(`setDefaultKernels: expected a QuantKernels object, got ${String(kernels)}`);
  }
  const previous = current;
  current = kernels;
  return previous;
}
