// The run's settings, from the page's URL (so a link, or the end-to-end test, can ask for a
// short run): ?train=512&test=500&epochs=1&backend=wasm&threads=2. Bad values are refused by name.
import { CALIB_METHODS, type CalibMethod } from '@pq/lenet-app/browser';

export const BACKENDS = ['webgpu', 'webgl', 'wasm'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

/** The most threads @pq/nn's enableAcceleration takes (tfjs-wasm's pool of 8). */
export const MAX_THREADS = 8;

export interface RunConfig {
  /** Training samples used (the first N of the 8,004 in split order; all by default). */
  train: number;
  /** Test samples used for accuracy and the ONNX check (first N of 1,996). */
  test: number;
  epochs: number;
  qatEpochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  calibEvery: number;
  qatFrom: CalibMethod;
  /** The tfjs backend asked for in the URL; null: the fastest available. */
  backend: BackendChoice | null;
  /** The wasm backend's threads asked for in the URL (1 to 8); null: backendChoice.ts's wasmThreads(). */
  threads: number | null;
  /** Start the whole run when the page has loaded. */
  autorun: boolean;
}

// The CLI's defaults (apps/lenet), except 3 epochs: a page should finish in a minute or so.
export const DEFAULT_CONFIG: RunConfig = {
  train: Infinity, test: Infinity, epochs: 3, qatEpochs: 1, batchSize: 64, lr: 0.02, seed: 0, calibEvery: 16,
  qatFrom: 'percentile', backend: null, threads: null, autorun: false,
};

function integer(params: URLSearchParams, name: string, min: number, fallback: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`?${name}=${raw}: expected an integer >= ${min}`);
  return n;
}

export function parseConfig(search: string): RunConfig {
  const p = new URLSearchParams(search);
  const known = new Set(['train', 'test', 'epochs', 'qat', 'batch', 'lr', 'seed', 'calibEvery', 'qatFrom', 'backend', 'threads', 'autorun']);
  for (const k of p.keys()) if (!known.has(k)) throw new Error(`unknown URL parameter ?${k} (known: ${[...known].join(', ')})`);
  const lrRaw = p.get('lr');
  const lr = lrRaw === null ? DEFAULT_CONFIG.lr : Number(lrRaw);
  if (!(lr > 0 && Number.isFinite(lr))) throw new Error(`?lr=${lrRaw}: expected a positive number`);
  const backend = p.get('backend');
  if (backend !== null && !(BACKENDS as readonly string[]).includes(backend)) throw new Error(`?backend=${backend}: expected one of ${BACKENDS.join(', ')}`);
  const threads = p.get('threads') === null ? null : integer(p, 'threads', 1, 1);
  if (threads !== null && threads > MAX_THREADS) throw new Error(`?threads=${threads}: expected an integer from 1 to ${MAX_THREADS}`);
  const qatFrom = p.get('qatFrom') ?? DEFAULT_CONFIG.qatFrom;
  if (!(CALIB_METHODS as readonly string[]).includes(qatFrom)) throw new Error(`?qatFrom=${qatFrom}: expected one of ${CALIB_METHODS.join(', ')}`);
  return {
    train: integer(p, 'train', 64, DEFAULT_CONFIG.train),
    test: integer(p, 'test', 10, DEFAULT_CONFIG.test),
    epochs: integer(p, 'epochs', 0, DEFAULT_CONFIG.epochs),
    qatEpochs: integer(p, 'qat', 0, DEFAULT_CONFIG.qatEpochs),
    batchSize: integer(p, 'batch', 1, DEFAULT_CONFIG.batchSize),
    lr,
    seed: integer(p, 'seed', 0, DEFAULT_CONFIG.seed),
    calibEvery: integer(p, 'calibEvery', 1, DEFAULT_CONFIG.calibEvery),
    qatFrom: qatFrom as CalibMethod,
    backend: backend as BackendChoice | null,
    threads,
    autorun: p.get('autorun') === '1',
  };
}
