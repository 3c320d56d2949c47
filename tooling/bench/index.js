// The benchmarks' helpers: timing and seeded input data from browser.js (browser-safe), and the
// runner of a benchmark's PyTorch half (Node only).
import { execFileSync, fork } from 'node:child_process';
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

/**
 * Starts `script` (a URL or path; usually the benchmark's own file) again in a process of its
 * own with `args`, for measurements that need a fresh process (a backend chosen before any tensor
 * exists), and returns `call(request)`, which resolves to the worker's reply, and `close()`. The
 * worker answers through `serveBenchRequests`; it idles between calls, so the caller's own
 * timings are not disturbed once `ready` has resolved (the worker's start-up, which compiles and
 * starts its backend, would compete with them for the CPU). The runtime flags (e.g. tsx's loader)
 * are passed on.
 */
export function forkBenchWorker(script, args = []) {
  const path = script instanceof URL ? fileURLToPath(script) : script;
  const child = fork(path, args.map(String), { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = [];
  let started;
  const ready = new Promise((resolve, reject) => {
    started = { resolve, reject };
  });
  child.on('message', (m) => {
    if (m && typeof m === 'object' && m.ready === true) return started.resolve();
    const w = waiting.shift();
    if (m && typeof m === 'object' && 'error' in m) w?.reject(new Error(`bench worker: ${m.error}`));
    else w?.resolve(m);
  });
  child.on('exit', (code) => {
    started.reject(new Error(`bench worker exited (code ${code}) before it was ready`));
    for (const w of waiting.splice(0)) w.reject(new Error(`bench worker exited (code ${code})`));
  });
  ready.catch(() => {}); // a worker that exits early rejects `ready` for whoever awaits it
  return {
    ready,
    call(request) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.send(request);
      });
    },
    close() {
      child.disconnect();
    },
  };
}

/** In a worker started by `forkBenchWorker`: answers each request with `await handler(request)`, one at a time. */
export function serveBenchRequests(handler) {
  let queue = Promise.resolve();
  process.on('message', (request) => {
    queue = queue.then(async () => {
      try {
        process.send(await handler(request));
      } catch (e) {
        process.send({ error: e instanceof Error ? e.stack ?? e.message : String(e) });
      }
    });
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
}

/** The value after `--name` on the command line, or `fallback`. */
export function benchArg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** "wasm, 1 thread(s), native kernels on 2 thread(s)" (or "off: why") for a bench's header, from enableAcceleration()'s state. */
export function describeAcceleration(state) {
  const native = state.native?.active ? `native kernels on ${state.native.threads} thread(s)` : `native kernels off: ${state.native?.reason ?? 'unknown'}`;
  return `${state.backend}, ${state.threads} thread(s), ${native}`;
}
