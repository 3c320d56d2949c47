// The throughput block of a summary. It goes last and is the only part of a summary that varies
// between two runs with the same seed, so a test can compare everything before it byte for byte.

/** Throughput of one training phase: overall and per epoch (samples per second). */
export interface PhaseTiming {
  trainSamplesPerSec: number;
  epochSamplesPerSec: number[];
}

/** A summary without its `timing` block: what must be identical for the same seed. */
export function withoutTimings<S extends { timing: unknown }>(s: S): Omit<S, 'timing'> {
  const { timing: _timing, ...rest } = s;
  return rest;
}

/** Samples per second of `samples` processed in `ms` milliseconds (0 when no time passed). */
export function samplesPerSec(samples: number, ms: number): number {
  return ms > 0 ? (samples * 1000) / ms : 0;
}
