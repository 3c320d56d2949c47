// Command-line value checks shared by the apps: each names the option and the bad value, and
// throws a UsageError, which the CLI runner turns into exit code 2 and a hint to use --help.

/** A bad command line (or an option the data make meaningless, found before any work). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const KERNELS = ['js', 'gpu'] as const;
export type KernelsName = (typeof KERNELS)[number];
export const BACKENDS = ['wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** An integer >= `min` written in decimal digits (`--name N`). */
export function intOption(name: string, raw: string, min: number): number {
  const v = Number(raw);
  if (!/^[+]?\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < min) {
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return v;
}

/** A seed for mulberry32 and @pq/nn's generator: an integer in [0, 2^32). */
export function seedOption(raw: string, name = 'seed'): number {
  const v = intOption(name, raw, 0);
  if (v > 0xffffffff) throw new UsageError(`--${name} must be below 2^32, got "${raw}"`);
  return v;
}

/** A finite number > 0. */
export function positiveFloatOption(name: string, raw: string): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v <= 0) throw new UsageError(`--${name} must be a number > 0, got "${raw}"`);
  return v;
}

/** A finite number (any sign). */
export function floatOption(name: string, raw: string): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  return v;
}

export function oneOfOption<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/** A path that is not empty. */
export function pathOption(name: string, raw: string): string {
  if (raw.trim() === '') throw new UsageError(`--${name} needs a path, got an empty string`);
  return raw;
}

/** A comma- or space-separated list (`--name a,b` or `--name a b` through positionals): empty items dropped. */
export function listOption(raw: string): string[] {
  return raw.split(/[\s,]+/).filter((s) => s !== '');
}
