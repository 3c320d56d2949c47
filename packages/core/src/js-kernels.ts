import { histogram } from './histogram.js';
import { reduceAmax } from './reduce-amax.js';
import { fakeTensorQuant, tensorQuant } from './tensor-quant.js';
import type { QuantKernels } from './types.js';

/** The plain-JavaScript kernels: the reference implementation every backend must match. */
export const jsKernels: QuantKernels = Object.freeze({
  name: 'js',
  tensorQuant,
  fakeTensorQuant,
  reduceAmax,
  histogram,
});
