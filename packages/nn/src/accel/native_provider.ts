// Where the wasm backend's convolutions, matrix products and MaxPoolGrad find pq's native CPU
// kernels (@pq/kernels-native, a Node addon). This file imports only that package's types:
// browsers reach it through enable.ts, so the Node side (default_node.ts) hands the package's
// loader in with `provideNativeKernels`. Kernels load on first use, not when @pq/nn is imported;
// `configureNative` (from enableAcceleration) picks the thread count or turns them off.
import type { CpuKernels } from '@pq/kernels-native';

export interface NativeSource {
  load(options: { threads: number }): CpuKernels | null;
  /** Why `load` returns null (the addon failed to build or load), else null. */
  unavailableReason(): string | null;
}

export interface NativeState {
  /** Whether Conv2D, its gradients, BatchMatMul and MaxPoolGrad run on the native kernels. */
  active: boolean;
  /** Threads of the native kernels (0 when inactive). */
  threads: number;
  /** Why they do not run, when `active` is false. */
  reason: string | null;
}

let source: NativeSource | null = null;
let enabled = true;
let threads = 1;
const loaded = new Map<number, CpuKernels | null>();

/** Called once by default_node.ts (and by tests, which put the previous source back). */
export function provideNativeKernels(s: NativeSource | null): NativeSource | null {
  const previous = source;
  source = s;
  loaded.clear();
  return previous;
}

/** `enableAcceleration`'s choice: native kernels on or off, and on how many threads. */
export function configureNative(on: boolean, threadCount: number): void {
  enabled = on;
  threads = threadCount;
}

/** Whether native kernels exist here (a source whose addon loads), whether or not they are on. */
export function nativeLoadable(): boolean {
  return source !== null && source.unavailableReason() === null;
}

/** The thread count the native kernels are configured for. */
export function nativeThreadCount(): number {
  return threads;
}

/** The native kernels to use now, or null (then the callers take their other paths). */
export function nativeKernels(): CpuKernels | null {
  if (!enabled || source === null) return null;
  let k = loaded.get(threads);
  if (k === undefined) {
    k = source.load({ threads });
    loaded.set(threads, k);
  }
  return k;
}

export function nativeState(): NativeState {
  const k = nativeKernels();
  if (k !== null) return { active: true, threads: k.threads, reason: null };
  const reason = !enabled
    ? 'turned off by enableAcceleration({ native: false })'
    : source === null
      ? 'native kernels need Node (@pq/kernels-native); this runtime gets none'
      : (source.unavailableReason() ?? '@pq/kernels-native returned no kernels');
  return { active: false, threads: 0, reason };
}
