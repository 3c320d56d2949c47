export { median, timeMedian, timeRuns, uniformFloats, type TimeOptions, type TimeResult } from './browser.js';
/**
 * Runs a benchmark's PyTorch half (a Python script) under the first interpreter that imports
 * torch; its last output line parsed as JSON, or null without torch or with --no-torch.
 */
export function runTorchScript<T = unknown>(script: URL | string, args?: ReadonlyArray<string | number>): T | null;
export interface BenchWorker<Req, Rep> {
  /** Resolves once the worker has started and serves requests: await it before timing anything. */
  ready: Promise<void>;
  call(request: Req): Promise<Rep>;
  close(): void;
}
/** Starts `script` again in a process of its own with `args`; see index.js. */
export function forkBenchWorker<Req = unknown, Rep = unknown>(script: URL | string, args?: ReadonlyArray<string | number>): BenchWorker<Req, Rep>;
/** In a worker started by `forkBenchWorker`: answers each request with `await handler(request)`. */
export function serveBenchRequests<Req = unknown, Rep = unknown>(handler: (request: Req) => Rep | Promise<Rep>): void;
/** The value after `--name` on the command line, or `fallback`. */
export function benchArg(name: string, fallback: string): string;
/** "wasm, 1 thread(s), native kernels on 2 thread(s)" (or "off: why") for a bench's header, from enableAcceleration()'s state. */
export function describeAcceleration(state: { backend: string; threads: number; native?: { active: boolean; threads: number; reason: string | null } }): string;
