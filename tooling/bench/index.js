// Timing helpers shared by the packages' benchmarks (bench/*.ts): warm up, then time each of
// several runs with performance.now() and report the median (robust to a noisy shared machine)
// and the fastest run (the one least disturbed by neighbours); and the runner of a benchmark's
// PyTorch half.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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

/** Interpreters tried for PyTorch halves: Debian's python3-torch lives under /usr/bin (a pyenv python3 on PATH may lack it). */
const PYTHONS = ['/usr/bin/python3', 'python3'];
let torchPython;

/**
 * Runs the Python script `script` (a URL or path, e.g. `new URL('./x_torch.py', import.meta.url)`)
 * with `args` under the first interpreter that imports torch, and returns its last line of
 * output parsed as JSON; null when no interpreter has torch or the command line has --no-torch.
 */
export function runTorchScript(script, args = []) {
  if (process.argv.includes('--no-torch')) return null;
  if (torchPython === undefined) {
    torchPython = PYTHONS.find((py) => {
      try {
        execFileSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    }) ?? null;
  }
  if (torchPython === null) return null;
  const path = script instanceof URL ? fileURLToPath(script) : script;
  const out = execFileSync(torchPython, [path, ...args.map(String)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop());
}
