export interface TimeOptions {
  /** Unmeasured calls first (JIT, page faults, kernel compilation). */
  warmup: number;
  /** Measured calls (at least 1). */
  runs: number;
}
export interface TimeResult<T> {
  /** Median wall time of the measured runs, ms. */
  median: number;
  /** Fastest measured run, ms: the one least disturbed by neighbours on a shared machine. */
  fastest: number;
  /** What the last measured run returned. */
  result: T;
}
export function median(xs: readonly number[]): number;
export function timeRuns<T>(fn: () => T, options: TimeOptions): TimeResult<T>;
export function timeMedian(fn: () => unknown, options: TimeOptions): number;
/** `n` float32 values uniform in [-4, 4) from a fixed LCG: the same input on every run. */
export function uniformFloats(n: number): Float32Array;
