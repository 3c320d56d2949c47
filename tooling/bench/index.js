// The benchmarks' helpers: timing and seeded input data from browser.js (browser-safe), and the
// runner of a benchmark's PyTorch half (Node only).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export { median, timeMedian, timeRuns, uniformFloats } from './browser.js';

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
