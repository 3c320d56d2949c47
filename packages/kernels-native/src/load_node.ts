// Loads build/pq_kernels.node (scripts/build-native.mjs compiles it) the first time it is asked
// for, never at import. The outcome, the binding or why there is none, is kept for the process.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CpuKernels } from './kernels.js';
import type { LoadOptions } from './load_browser.js';
import { checkThreads, nativeKernels, type NativeBinding } from './native.js';

export type { LoadOptions };

const ADDON = join('build', 'pq_kernels.node');
/** Written by the build instead of the addon where no C++ compiler was found; holds the reason. */
const SKIPPED = join('build', 'unavailable.txt');

/** The package folder: the nearest one above this file whose package.json is this package's (src/, dist/ and dist/cjs/ all work). */
function packageDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here, up = 0; up < 4; up++, dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@pq/kernels-native') return dir;
  }
  return dirname(here);
}

type Loaded = { binding: NativeBinding; reason: null } | { binding: null; reason: string };
let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded) return loaded;
  const dir = packageDir();
  const addon = join(dir, ADDON);
  if (!existsSync(addon)) {
    const skipped = join(dir, SKIPPED);
    const why = existsSync(skipped) ? readFileSync(skipped, 'utf8').trim() : `${addon} does not exist`;
    return (loaded = { binding: null, reason: `not built: ${why} (build it with \`pnpm --filter @pq/kernels-native build:native\`)` });
  }
  let binding: NativeBinding;
  try {
    binding = createRequire(import.meta.url)(addon) as NativeBinding;
  } catch (e) {
    return (loaded = { binding: null, reason: `load error: ${addon}: ${(e as Error).message}` });
  }
  if (!binding.cpuSupported()) {
    return (loaded = { binding: null, reason: 'this CPU lacks AVX2 or FMA, which the addon is compiled for' });
  }
  return (loaded = { binding, reason: null });
}

/**
 * The native kernels, or null where they cannot run (see nativeUnavailableReason). Each call of
 * a returned object's methods uses up to `threads` threads of one pool shared by the process;
 * results are bit-identical for every thread count.
 */
export function loadNativeKernels(options: LoadOptions = {}): CpuKernels | null {
  const threads = checkThreads(options.threads ?? availableParallelism());
  const { binding } = load();
  return binding && nativeKernels(binding, threads);
}

/** Why loadNativeKernels returns null (not built, CPU lacks AVX2/FMA, load error); null when it does not. */
export function nativeUnavailableReason(): string | null {
  return load().reason;
}
