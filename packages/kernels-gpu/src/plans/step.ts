// A plan is a generator of kernel calls: it yields what to run and receives each result. The
// same plan runs synchronously (gpu.js webasm/cpu/GL) or awaited (WebGPU) — see drive.ts —
// and stays free of gpu.js itself, so tiling and index bookkeeping are plain, testable code.

/** One kernel call: its source, its 1-D output length and its arguments. */
export interface KernelStep {
  /** Identifies the compiled kernel: source variant plus every size it is compiled for. */
  readonly key: string;
  readonly source: string;
  readonly output: number;
  readonly args: readonly (Float32Array | number)[];
}

export type Plan<T> = Generator<KernelStep, T, Float32Array>;

/** A cache key from a kernel's name and its output and array-argument lengths. */
export function stepKey(name: string, output: number, args: readonly (Float32Array | number)[]): string {
  const lens = args.map((a) => (typeof a === 'number' ? 's' : String(a.length)));
  return `${name}|${output}|${lens.join(',')}`;
}

/** What a plan needs to know about where it runs. */
export interface PlanContext {
  /** Most elements one kernel call reads or writes. */
  readonly tile: number;
  /**
   * Finish NaN and ±Infinity inputs on the host (specials.ts): GLSL and WGSL let a GPU assume
   * they never occur. wasm and JavaScript follow IEEE 754.
   */
  readonly hostSpecials: boolean;
  /**
   * Avoid float division in kernels: GLSL and WGSL allow it to be off by ulps, so GPU backends
   * use host-computed tables and thresholds instead. wasm and JavaScript divide exactly.
   */
  readonly divisionFree: boolean;
}

export function planContext(backend: string, tile: number): PlanContext {
  const ieee = backend === 'webasm' || backend === 'cpu';
  return { tile, hostSpecials: !ieee, divisionFree: !ieee };
}
