// Compiled kernels, cached per source variant and size (a plan's step key), least recently
// used first out. gpu.js compiles on the first call, so the cost of a new shape is paid once.

import { GPU, type IKernelRunShortcut } from 'gpu.js';
import { KERNEL_CACHE_SIZE, REDUCE_CHUNK } from './limits.js';
import type { KernelStep } from './plans/step.js';
import type { GpuBackend } from './modes.js';

export class KernelCache {
  private readonly kernels = new Map<string, IKernelRunShortcut>();
  /** Kernels compiled so far (cache misses). */
  compiled = 0;

  constructor(
    readonly gpu: GPU,
    readonly backend: GpuBackend,
    private readonly limit = KERNEL_CACHE_SIZE,
  ) {}

  get(step: KernelStep): IKernelRunShortcut {
    let kernel = this.kernels.get(step.key);
    if (kernel) {
      this.kernels.delete(step.key);
      this.kernels.set(step.key, kernel);
      return kernel;
    }
    kernel = this.gpu.createKernel(step.source, {
      output: [step.output],
      precision: 'single',
      tactic: 'precision',
      // exact integer quotients on GPUs whose float division is off by an ulp (harmless elsewhere)
      fixIntegerDivisionAccuracy: true,
      loopMaxIterations: REDUCE_CHUNK,
    } as Parameters<GPU['createKernel']>[1]);
    this.compiled++;
    this.kernels.set(step.key, kernel);
    while (this.kernels.size > this.limit) {
      const [oldKey, old] = this.kernels.entries().next().value as [string, IKernelRunShortcut];
      this.kernels.delete(oldKey);
      old.destroy();
    }
    return kernel;
  }

  /** Runs a step; the result is always a Float32Array of the step's output length. */
  run(step: KernelStep): Float32Array | Promise<Float32Array> {
    const result = this.get(step)(...step.args) as unknown;
    if (result instanceof Promise) return result.then(toFloat32);
    return toFloat32(result);
  }

  /** Runs a step on a backend whose kernels return values directly. */
  runSync(step: KernelStep): Float32Array {
    const result = this.run(step);
    if (result instanceof Promise) throw new Error(`the ${this.backend} backend returned a Promise to a synchronous call`);
    return result;
  }

  get size(): number {
    return this.kernels.size;
  }

  clear(): void {
    for (const k of this.kernels.values()) k.destroy();
    this.kernels.clear();
  }
}

function toFloat32(r: unknown): Float32Array {
  if (r instanceof Float32Array) return r;
  if (Array.isArray(r) || ArrayBuffer.isView(r)) return Float32Array.from(r as ArrayLike<number>);
  throw new TypeError(`a kernel returned ${String(r)} instead of a 1-D array`);
}
