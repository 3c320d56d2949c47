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
/**
 * Runs a benchmark's PyTorch half (a Python script) under the first interpreter that imports
 * torch; its last output line parsed as JSON, or null without torch or with --no-torch.
 */
export function runTorchScript<T = unknown>(script: URL | string, args?: ReadonlyArray<string | number>): T | null;
