// Browsers (and any runtime without Node's addon loader) have no native kernels.
import type { CpuKernels } from './kernels.js';

export interface LoadOptions {
  /** Threads each call may use; default: the machine's available parallelism. */
  threads?: number;
}

const REASON = 'native kernels need Node.js (this runtime cannot load a Node-API addon)';

export function loadNativeKernels(_options?: LoadOptions): CpuKernels | null {
  return null;
}

export function nativeUnavailableReason(): string | null {
  return REASON;
}
