// Size limits that keep every kernel call exact and portable.
//
// Kernels index their arrays with float32 arithmetic on every gpu.js backend (GLSL and WGSL
// thread ids become floats as soon as they meet a float), and float32 holds every integer only
// up to 2^24. Capping each call's arrays well below that keeps every index exact, keeps each
// buffer under WebGPU's default 128 MiB binding limit and inside a 16384^2 GL texture, and
// bounds the memory a cached webasm module pins. Bigger tensors are processed in tiles.

/** Default cap on the elements of any array a single kernel call reads or writes (2^22). */
export const DEFAULT_TILE_ELEMENTS = 1 << 22;

/** Hard upper bound for `tileElements`: float32 indexes exactly below 2^24. */
export const MAX_TILE_ELEMENTS = 1 << 23;

/** Elements of |x| a reduction kernel folds per output cell and pass. */
export const REDUCE_CHUNK = 1024;

/** Compiled kernels kept per kernels object (least recently used are destroyed). */
export const KERNEL_CACHE_SIZE = 24;

/** Checks a user-supplied tile size. */
export function checkTileElements(n: number): number {
  if (!Number.isInteger(n) || n < 16 || n > MAX_TILE_ELEMENTS) {
    throw new RangeError(`tileElements must be an integer in 16..${MAX_TILE_ELEMENTS}, got ${String(n)}`);
  }
  return n;
}
