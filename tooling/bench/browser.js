// The browser-safe half of the benchmarks' helpers (the browser bench runs them in a page):
// timing — warm up, then time each of several runs with performance.now() and report the
// median (robust to a noisy shared machine) and the fastest run (the one least disturbed by
// neighbours) — and the benchmarks' seeded input data.
/** The median of `xs` (the upper middle element for an even count); `xs` is not modified. */
export function median(xs) {
  if (xs.length === 0) throw new Error('median: xs is empty');
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Calls `fn` `warmup` times unmeasured (JIT, page faults, kernel compilation), then `runs` times
 * measured. Returns the median and fastest wall time in ms and the last run's result.
 */
export function timeRuns(fn, { warmup, runs }) {
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`timeRuns: warmup must be an integer >= 0, got ${warmup}`);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`timeRuns: runs must be an integer >= 1, got ${runs}`);
  for (let i = 0; i < warmup; i++) fn();
  const ts = [];
  let result;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = fn();
    ts.push(performance.now() - t0);
  }
  return { median: median(ts), fastest: Math.min(...ts), result };
}

/** Median wall time in ms of `runs` runs of `fn` after `warmup` unmeasured ones. */
export function timeMedian(fn, options) {
  return timeRuns(fn, options).median;
}

/** `n` float32 values uniform in [-4, 4) from a fixed LCG: the same input on every run. */
export function uniformFloats(n) {
  let s = 12345;
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    d[i] = (s / 4294967296 - 0.5) * 8;
  }
  return d;
}
