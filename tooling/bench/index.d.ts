export { median, timeMedian, timeRuns, uniformFloats, type TimeOptions, type TimeResult } from './browser.js';
/**
 * Runs a benchmark's PyTorch half (a Python script) under the first interpreter that imports
 * torch; its last output line parsed as JSON, or null without torch or with --no-torch.
 */
export function runTorchScript<T = unknown>(script: URL | string, args?: ReadonlyArray<string | number>): T | null;
